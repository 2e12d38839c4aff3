// An in-memory corpus for the library's tests: documents as (group, name, text), or a read error.
#pragma once

#include <dupstrip/pipeline.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace dupstrip_test {

class memory_source final : public dupstrip::document_source {
 public:
  struct doc {
    std::string group, name, text;
    std::error_code error = {};  ///< when set, read() fails with it
  };
  explicit memory_source(std::vector<doc> docs) : docs_(std::move(docs)) {}
  std::size_t size() const override { return docs_.size(); }
  std::string_view name(std::size_t i) const override { return docs_[i].name; }
  std::string_view group(std::size_t i) const override { return docs_[i].group; }
  dupstrip::result<std::string> read(std::size_t i) const override {
    if (docs_[i].error) return docs_[i].error;
    return docs_[i].text;
  }
  /// Documents [first, first + count) as a source of their own.
  memory_source slice(std::size_t first, std::size_t count) const {
    return memory_source({docs_.begin() + static_cast<std::ptrdiff_t>(first),
                          docs_.begin() + static_cast<std::ptrdiff_t>(first + count)});
  }

 private:
  std::vector<doc> docs_;
};

}  // namespace dupstrip_test
