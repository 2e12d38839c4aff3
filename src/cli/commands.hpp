// The subcommands: turn validated arguments into a run of the library and its outputs.
#pragma once

#include "options.hpp"

namespace dupstrip::cli {

/// Runs `clean` or `scan`; returns the exit code (0, 1 or 2).
int run_command(cli_args& args);

}  // namespace dupstrip::cli
