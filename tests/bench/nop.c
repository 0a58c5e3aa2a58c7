/* nop: exits 0 at once. forkbench's exec target: the smallest program there is. */
#include "kernel/types.h"
#include "user/user.h"

int main(void)
{
	exit(0);
}
