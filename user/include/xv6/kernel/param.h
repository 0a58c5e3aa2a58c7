/* xv6 compatibility: <kernel/param.h> is calf's <uapi/param.h>. */
#ifndef CALF_XV6_PARAM_H
#define CALF_XV6_PARAM_H
#include "../../../../include/uapi/param.h"
#endif
