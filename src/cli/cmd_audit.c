/* `redflag audit`: screen a supplier list or a year of orders and hand over
 * one HTML report of the run (the screening itself is `screen`'s, the report
 * file's handling report.c's). */
#include "cli.h"

/* Entry point of `redflag audit`. */
int cmd_audit(int argc, char **argv)
{
    return cli_screen(argc, argv, true);
}
