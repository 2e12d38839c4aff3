// Runs the built `dupstrip` (DUPSTRIP_BIN, defined for the end-to-end test executables) through
// the shell and captures its exit code, standard output and standard error.
#pragma once

#include "support/corpus.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/wait.h>

namespace dupstrip_test {

struct run_result {
  int exit_code;
  std::string out;
  std::string err;
};

/// Runs `prefix 'dupstrip' args` in the shell (prefix may start a pipe: "cat x |"); the outputs
/// go through files in `dir`.
inline run_result run_dupstrip(const std::string& args, const std::filesystem::path& dir,
                               const std::string& prefix = "") {
  const std::string cmd = prefix + "'" + DUPSTRIP_BIN + "' " + args + " >'" + (dir / "stdout").string() +
                          "' 2>'" + (dir / "stderr").string() + "'";
  const int rc = std::system(cmd.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, read_text(dir / "stdout"), read_text(dir / "stderr")};
}

}  // namespace dupstrip_test
