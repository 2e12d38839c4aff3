// INPUT and --files-from: decide between text documents and JSONL streams. A folder whose files
// all have JSONL names (.jsonl/.ndjson, optionally .gz/.zst) is read as JSONL shards, in bytewise
// path order; so is a --files-from list of such names. Any other single file is read as JSONL.
#include "inputs.hpp"

#include "messages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace dupstrip::cli {
namespace fs = std::filesystem;

namespace {

bool read_list(const std::string& from, std::vector<std::string>& out) {
  std::string data;
  if (from == "-") {
    char buf[65536];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) data.append(buf, n);
  } else {
    auto r = read_file(from, std::uint64_t{1} << 32);
    if (!r.has_value()) {
      messages::get().error(fmt::format("{}: {}", from, r.error().message()));
      return false;
    }
    data = std::move(r).value();
  }
  const char sep = data.find('\0') != std::string::npos ? '\0' : '\n';
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::size_t end = data.find(sep, pos);
    if (end == std::string::npos) end = data.size();
    std::string item = data.substr(pos, end - pos);
    if (sep == '\n' && !item.empty() && item.back() == '\r') item.pop_back();
    if (!item.empty()) out.push_back(std::move(item));
    pos = end + 1;
  }
  return true;
}

bool all_jsonl(const std::vector<std::string>& names) {
  return !names.empty() &&
         std::all_of(names.begin(), names.end(), [](const std::string& n) { return is_jsonl_name(n); });
}

bool all_jsonl(const file_list& files) {
  for (std::size_t i = 0; i < files.size(); ++i)
    if (!is_jsonl_name(files.relative(i))) return false;
  return !files.empty();
}

}  // namespace

bool plan_inputs(const cli_args& a, input_plan& plan) {
  messages& m = messages::get();
  if (a.input.empty() == a.files_from.empty()) {
    m.error(a.input.empty() ? "no INPUT: give a folder, a JSONL file, - (stdin) or --files-from"
                            : "give INPUT or --files-from, not both");
    return false;
  }
  if (!a.root.empty() && a.files_from.empty()) {
    m.error("--root goes with --files-from (the listed paths are relative to it)");
    return false;
  }
  if (!a.files_from.empty()) {
    std::vector<std::string> paths;
    if (!read_list(a.files_from, paths)) return false;
    const fs::path root(a.root);
    if (!root.empty()) plan.files = file_list(root);
    if (all_jsonl(paths)) {
      plan.jsonl = true;
      for (const std::string& p : paths) {
        const fs::path full = root.empty() ? fs::path(p) : root / p;
        plan.streams.push_back({full.string(), full});
      }
      return true;
    }
    for (const std::string& p : paths) {
      // The name under OUTPUT: the path as given, made relative ("/a/b" -> "a/b"); with --root,
      // the path below the root, as a walk of the root would name it.
      std::string rel = fs::path(p).lexically_normal().relative_path().generic_string();
      if (!root.empty() && (rel.empty() || rel == ".." || rel.starts_with("../"))) {
        m.error(fmt::format("{}: a path listed with --root must lie below the root", p));
        return false;
      }
      if (root.empty()) {
        plan.files.add(rel, p);
      } else {
        plan.files.add(rel);
      }
    }
    return true;
  }
  if (a.input == "-") {
    plan.jsonl = true;
    plan.streams.push_back({"<stdin>", fs::path()});
    return true;
  }
  const fs::path input(a.input);
  std::error_code ec;
  if (fs::is_directory(input, ec)) {
    std::vector<walk_issue> issues;
    file_list files = walk_files(input, issues);
    for (const walk_issue& w : issues) m.input_error(w.path, w.error.message());
    if (all_jsonl(files)) {
      plan.jsonl = true;
      for (std::size_t i = 0; i < files.size(); ++i) {
        const fs::path p = files.path(i);
        plan.streams.push_back({p.string(), p});
      }
    } else {
      plan.folder = true;
      plan.files = std::move(files);
    }
    return true;
  }
  if (!fs::exists(input, ec)) {
    m.error(fmt::format("{}: no such file or directory", a.input));
    return false;
  }
  plan.jsonl = true;
  plan.streams.push_back({a.input, input});
  return true;
}

}  // namespace dupstrip::cli
