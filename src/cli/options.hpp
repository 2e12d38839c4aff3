// Command-line definitions ("low" arguments): CLI11 fills a plain struct, nothing else happens
// here. config.cpp turns it into library options after validation.
#pragma once

#include <dupstrip/run.hpp>

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace dupstrip::cli {

/// The arguments of every subcommand: the run's (run_spec: INPUT, OUTPUT, fields, options) and
/// the CLI's own.
struct cli_args : run_spec {
  std::string command;  // "clean", "scan", "merge", "apply" or "review"
  std::vector<std::string> inputs;  // merge: fingerprint files
  std::string fingerprints;         // scan: write the shard's fingerprints here
  std::string state;                // scan (content round), merge, apply: the merge state
  std::string review;             // --review DIR (clean, scan); -o DIR of `review`
  std::size_t review_docs = 200;  // --review-docs N
  std::string review_report;      // review: the REPORT to read
  std::string keep = "longest";
  std::string utf8 = "replace";
  std::string progress = "auto";
  bool json = false;
  bool quiet = false;
  int verbose = 0;
};

/// Defines the app, its subcommands and options, bound to `args`.
void define(CLI::App& app, cli_args& args);

}  // namespace dupstrip::cli
