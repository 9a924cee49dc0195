/*
 * Commands that live in their own files under sim/cli/ (main.c dispatches).
 * Each takes argv[0] = the command's name and returns the exit status:
 * 0 success, 1 runtime failure, 2 bad input.
 */
#ifndef CW_CLI_COMMANDS_H
#define CW_CLI_COMMANDS_H

int cmd_sweep(int argc, char **argv);   /* sweep.c   */
int cmd_compare(int argc, char **argv); /* compare.c */

#endif
