// What INPUT (or --files-from) names: a folder of text files, a list of text files, or JSONL
// streams (a file, standard input, a folder or list of .jsonl shards). Reading is the library's.
#pragma once

#include "options.hpp"

#include <dupstrip/io.hpp>
#include <dupstrip/jsonl.hpp>

#include <string>
#include <vector>

namespace dupstrip::cli {

struct input_plan {
  bool jsonl = false;
  bool folder = false;                // INPUT is a folder of text files (walked)
  file_list files;                    // text files (folder walk or --files-from)
  std::vector<jsonl_input> streams;   // JSONL inputs
};

/// Builds the plan; on a usage problem prints it and returns false (exit 2).
bool plan_inputs(const cli_args& a, input_plan& plan);

}  // namespace dupstrip::cli
