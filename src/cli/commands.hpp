// The subcommands: turn validated arguments into a run of the library and its outputs.
#pragma once

#include "options.hpp"

namespace dupstrip::cli {

/// Runs `clean`, `scan` or `apply`; returns the exit code (0, 1 or 2).
int run_command(cli_args& args);
/// Runs `merge`; returns the exit code.
int run_merge(cli_args& args);

}  // namespace dupstrip::cli
