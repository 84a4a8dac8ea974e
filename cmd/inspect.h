/* inspect.h -- aiod ps, pstree, stack, stats and reload: the commands that look inside a running aiod */
#ifndef AIOD_INSPECT_H
#define AIOD_INSPECT_H

/* Whether name is one of those commands. */
int inspect_is_command(const char *name);

/* Runs the command argv[1] with its arguments; the exit status. */
int inspect_main(int argc, char **argv);

#endif
