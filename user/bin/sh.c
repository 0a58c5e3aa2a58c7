/*
 * sh: the shell.
 *
 *   sh              read commands from the console, with a "$ " prompt
 *   sh FILE         run the commands in FILE
 *   sh -c COMMAND   run one command line
 *
 * A line is parsed into a small tree and then run:
 *
 *   list     := pipeline { (';' | '&') pipeline } [';' | '&']
 *   pipeline := command { '|' command }
 *   command  := '(' list ')' { redir } | word { word | redir }
 *   redir    := '<' word | '>' word | '>>' word
 *
 * Words may be quoted with '...' or "..." to hold spaces and symbols.
 * "cd DIR" and "exit [STATUS]" are built in. A command that is not found
 * as given is looked up again in "/". Background jobs (&) are started
 * through an intermediate process that exits at once, so they become
 * init's children and the shell never collects them.
 *
 * The user stack is a single page, so every buffer here is static.
 */
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/param.h"
#include "user/user.h"

#define LINE_MAX 512
#define MAX_WORDS 32 /* words per simple command */
#define MAX_NODES 64 /* nodes per line */

enum node_type { N_EXEC, N_PIPE, N_LIST, N_BACK, N_GROUP };

/* One node of the parsed line. */
struct node {
	enum node_type type;
	struct node *left, *right; /* PIPE, LIST: both; BACK, GROUP: left */
	char *argv[MAX_WORDS + 1]; /* EXEC */
	char *in, *out;            /* redirections, or 0 */
	int append;                /* out is ">>" */
};

static char line[LINE_MAX];
static char words[LINE_MAX * 2]; /* token text, NUL separated */
static struct node nodes[MAX_NODES];
static int nnodes;

/* The tokenizer's state: the line being scanned and where word text goes. */
static char *scan;
static char *wordp;
static int syntax_error;

/* Prints a syntax error once per line. */
static void syntax(const char *what)
{
	if (!syntax_error)
		fprintf(2, "sh: syntax error: %s\n", what);
	syntax_error = 1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_symbol(char c)
{
	return c != '\0' && strchr("|;&<>()", c) != 0;
}

/* Skips blanks and returns the next character without consuming it. */
static char peek(void)
{
	while (is_space(*scan))
		scan++;
	return *scan;
}

/*
 * Consumes one word (with quotes removed) and returns it, or 0 if the next
 * token is not a word.
 */
static char *next_word(void)
{
	char *start, quote;

	if (peek() == '\0' || is_symbol(*scan))
		return 0;
	start = wordp;
	while (*scan != '\0' && !is_space(*scan) && !is_symbol(*scan)) {
		if (*scan == '\'' || *scan == '"') {
			quote = *scan++;
			while (*scan != '\0' && *scan != quote)
				*wordp++ = *scan++;
			if (*scan != quote) {
				syntax("unterminated quote");
				break;
			}
			scan++;
		} else {
			*wordp++ = *scan++;
		}
	}
	*wordp++ = '\0';
	return start;
}

/* Returns a fresh node of the given type, or 0 if the line is too complex. */
static struct node *new_node(enum node_type type)
{
	struct node *n;

	if (nnodes == MAX_NODES) {
		syntax("line too complex");
		return 0;
	}
	n = &nodes[nnodes++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	return n;
}

static struct node *parse_list(void);

/* Parses redirections after a command into n; returns 0 on an error. */
static int parse_redirs(struct node *n)
{
	char c, **target;

	while ((c = peek()) == '<' || c == '>') {
		scan++;
		if (c == '<') {
			target = &n->in;
		} else {
			target = &n->out;
			n->append = 0;
			if (*scan == '>') {
				scan++;
				n->append = 1;
			}
		}
		*target = next_word();
		if (*target == 0) {
			syntax("missing file name after < or >");
			return 0;
		}
	}
	return 1;
}

/* command := '(' list ')' { redir } | word { word | redir } */
static struct node *parse_command(void)
{
	struct node *n;
	int argc = 0;
	char *w;

	if (peek() == '(') {
		scan++;
		n = new_node(N_GROUP);
		if (n == 0)
			return 0;
		n->left = parse_list();
		if (peek() != ')') {
			syntax("missing )");
			return 0;
		}
		scan++;
		return parse_redirs(n) ? n : 0;
	}

	n = new_node(N_EXEC);
	if (n == 0)
		return 0;
	for (;;) {
		if (!parse_redirs(n))
			return 0;
		w = next_word();
		if (w == 0)
			break;
		if (argc == MAX_WORDS) {
			syntax("too many arguments");
			return 0;
		}
		n->argv[argc++] = w;
	}
	n->argv[argc] = 0;
	if (argc == 0 && n->in == 0 && n->out == 0) {
		syntax("missing command");
		return 0;
	}
	return n;
}

/* pipeline := command { '|' command } */
static struct node *parse_pipeline(void)
{
	struct node *left, *n;

	left = parse_command();
	while (left != 0 && peek() == '|') {
		scan++;
		n = new_node(N_PIPE);
		if (n == 0)
			return 0;
		n->left = left;
		n->right = parse_command();
		if (n->right == 0)
			return 0;
		left = n;
	}
	return left;
}

/* list := pipeline { (';' | '&') pipeline } [';' | '&'] */
static struct node *parse_list(void)
{
	struct node *tree = 0, *item, *n;
	char c;

	while (!syntax_error && (c = peek()) != '\0' && c != ')') {
		item = parse_pipeline();
		if (item == 0)
			return 0;
		c = peek();
		if (c == '&') {
			scan++;
			n = new_node(N_BACK);
			if (n == 0)
				return 0;
			n->left = item;
			item = n;
		} else if (c == ';') {
			scan++;
		} else if (c != '\0' && c != ')') {
			syntax("unexpected symbol");
			return 0;
		}
		if (tree == 0) {
			tree = item;
		} else {
			/* Lists are built left-deep: ((a ; b) ; c). */
			n = new_node(N_LIST);
			if (n == 0)
				return 0;
			n->left = tree;
			n->right = item;
			tree = n;
		}
	}
	return tree;
}

/* Parses the text in line; returns the tree, or 0 for an empty or bad line. */
static struct node *parse_line(void)
{
	struct node *tree;

	scan = line;
	wordp = words;
	nnodes = 0;
	syntax_error = 0;
	tree = parse_list();
	if (!syntax_error && peek() != '\0')
		syntax("unexpected )");
	return syntax_error ? 0 : tree;
}

/* Forks, complaining on failure. */
static int fork_or_complain(void)
{
	int pid = fork();

	if (pid < 0)
		fprintf(2, "sh: fork failed\n");
	return pid;
}

/* Replaces fd with the file path opened with flags; exits on failure. */
static void redirect(int fd, const char *path, int flags)
{
	close(fd);
	if (open(path, flags) != fd) {
		fprintf(2, "sh: cannot open %s\n", path);
		exit(1);
	}
}

/* Skips to the end of fd so that writes append. */
static void seek_end(int fd)
{
	static char sink[512];

	while (read(fd, sink, sizeof(sink)) > 0)
		;
}

/* Applies n's redirections in the current process. */
static void apply_redirs(struct node *n)
{
	if (n->in != 0)
		redirect(0, n->in, O_RDONLY);
	if (n->out != 0) {
		if (n->append) {
			redirect(1, n->out, O_RDWR | O_CREATE);
			seek_end(1);
		} else {
			redirect(1, n->out, O_WRONLY | O_CREATE | O_TRUNC);
		}
	}
}

/* Runs argv: as given, then from "/". Does not return. */
static void exec_command(char **argv)
{
	static char path[MAXPATH];
	uint len;

	exec(argv[0], argv);
	len = strlen(argv[0]);
	if (argv[0][0] != '/' && len + 2 <= sizeof(path)) {
		path[0] = '/';
		strcpy(path + 1, argv[0]);
		exec(path, argv);
	}
	fprintf(2, "sh: %s: command not found\n", argv[0]);
	exit(127);
}

/* Waits for pid and returns its exit status (-1 if it cannot be waited for). */
static int wait_for(int pid)
{
	int status, w;

	while ((w = wait(&status)) >= 0)
		if (w == pid)
			return status;
	return -1;
}

static void run_node(struct node *n) __attribute__((noreturn));

/* Runs n in a new process and returns that child's exit status. */
static int run_child(struct node *n)
{
	int pid = fork_or_complain();

	if (pid < 0)
		return -1;
	if (pid == 0)
		run_node(n);
	return wait_for(pid);
}

/*
 * Starts n in the background: an intermediate child forks the job and
 * exits, so the job becomes init's child.
 */
static void run_background(struct node *n)
{
	int pid, job;

	pid = fork_or_complain();
	if (pid < 0)
		return;
	if (pid == 0) {
		job = fork_or_complain();
		if (job == 0)
			run_node(n);
		if (job > 0)
			printf("[%d]\n", job);
		exit(0);
	}
	wait_for(pid);
}

/* Runs a pipeline left | right with each side in its own process; returns right's status. */
static int run_pipe(struct node *n)
{
	int p[2], lpid, rpid, status;

	if (pipe(p) < 0) {
		fprintf(2, "sh: pipe failed\n");
		return -1;
	}
	lpid = fork_or_complain();
	if (lpid == 0) {
		close(1);
		dup(p[1]);
		close(p[0]);
		close(p[1]);
		run_node(n->left);
	}
	rpid = lpid < 0 ? -1 : fork_or_complain();
	if (rpid == 0) {
		close(0);
		dup(p[0]);
		close(p[0]);
		close(p[1]);
		run_node(n->right);
	}
	close(p[0]);
	close(p[1]);
	status = rpid < 0 ? -1 : wait_for(rpid);
	if (lpid > 0)
		wait_for(lpid);
	return status;
}

/* Runs the built-in commands; returns 1 if argv was one, 0 otherwise. */
static int builtin(char **argv)
{
	if (argv[0] == 0)
		return 0;
	if (strcmp(argv[0], "cd") == 0) {
		if (chdir(argv[1] != 0 ? argv[1] : "/") < 0)
			fprintf(2, "sh: cd: cannot change to %s\n",
				argv[1] != 0 ? argv[1] : "/");
		return 1;
	}
	if (strcmp(argv[0], "exit") == 0)
		exit(argv[1] != 0 ? atoi(argv[1]) : 0);
	return 0;
}

/* Runs n in the current process, which then exits with n's status. */
static void run_node(struct node *n)
{
	int status = 0;

	switch (n->type) {
	case N_EXEC:
		apply_redirs(n);
		if (n->argv[0] == 0)
			exit(0);
		if (builtin(n->argv))
			exit(0);
		exec_command(n->argv);
		break;
	case N_GROUP:
		apply_redirs(n);
		if (n->left != 0)
			run_node(n->left);
		break;
	case N_PIPE:
		status = run_pipe(n);
		break;
	case N_LIST:
		run_child(n->left);
		run_node(n->right);
		break;
	case N_BACK:
		run_background(n->left);
		break;
	}
	exit(status);
}

/*
 * Runs a line's tree from the shell process itself: lists are walked here
 * so that "cd" works anywhere in a list; everything else runs in children.
 */
static void run_top(struct node *n)
{
	if (n == 0)
		return;
	switch (n->type) {
	case N_LIST:
		run_top(n->left);
		run_top(n->right);
		break;
	case N_BACK:
		run_background(n->left);
		break;
	case N_EXEC:
		if (n->in == 0 && n->out == 0 && builtin(n->argv))
			break;
		run_child(n);
		break;
	default:
		run_child(n);
		break;
	}
}

/*
 * Reads one line from fd into line; returns its length, or -1 at end of
 * input with nothing read. Overlong lines are cut.
 */
static int read_line(int fd)
{
	int n = 0;
	char c;

	while (n < LINE_MAX - 1) {
		if (read(fd, &c, 1) != 1) {
			if (n == 0)
				return -1;
			break;
		}
		if (c == '\n')
			break;
		line[n++] = c;
	}
	line[n] = '\0';
	return n;
}

int main(int argc, char *argv[])
{
	int fd = 0, interactive = 1, i;

	/* Keep fds 0-2 open so that redirections reuse the right numbers. */
	while ((i = open("console", O_RDWR)) >= 0) {
		if (i >= 3) {
			close(i);
			break;
		}
	}

	if (argc == 3 && strcmp(argv[1], "-c") == 0) {
		if (strlen(argv[2]) >= LINE_MAX) {
			fprintf(2, "sh: command too long\n");
			exit(1);
		}
		strcpy(line, argv[2]);
		run_top(parse_line());
		exit(0);
	}
	if (argc == 2) {
		fd = open(argv[1], O_RDONLY);
		if (fd < 0) {
			fprintf(2, "sh: cannot open %s\n", argv[1]);
			exit(1);
		}
		interactive = 0;
	} else if (argc > 2) {
		fprintf(2, "usage: sh [FILE | -c COMMAND]\n");
		exit(1);
	}

	for (;;) {
		if (interactive)
			fprintf(2, "$ ");
		if (read_line(fd) < 0)
			break;
		run_top(parse_line());
	}
	exit(0);
}
