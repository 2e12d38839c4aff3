// Command-line definitions ("low" arguments): CLI11 fills a plain struct, nothing else happens
// here. config.cpp turns it into library options after validation.
#pragma once

#include <dupstrip/pipeline.hpp>

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace dupstrip::cli {

struct cli_args {
  std::string command;  // "clean", "scan", "merge", "apply" or "review"
  std::vector<std::string> inputs;  // merge: fingerprint files
  std::string fingerprints;         // scan: write the shard's fingerprints here
  std::string state;                // scan (content round), merge, apply: the merge state
  std::string root;                 // --files-from paths are relative to this folder
  std::string input;
  std::string output;
  std::string report;
  std::string review;             // --review DIR (clean, scan); -o DIR of `review`
  std::size_t review_docs = 200;  // --review-docs N
  std::string review_report;      // review: the REPORT to read
  std::string keep = "longest";
  std::string files_from;
  std::string group_by;  // "" = folder for text files, field (with --group-field) or none for JSONL
  std::string text_field = "text";
  std::string input_format = "auto";  // text, html or auto
  std::string html_field;             // JSONL: the field holding a web page
  std::string id_field = "id";
  std::string group_field;
  bool annotate = false;
  bool strict = false;
  std::string utf8 = "replace";
  std::string progress = "auto";
  bool json = false;
  bool quiet = false;
  int verbose = 0;
  bool force = false;
  clean_options options;
};

/// Defines the app, its subcommands and options, bound to `args`.
void define(CLI::App& app, cli_args& args);

}  // namespace dupstrip::cli
