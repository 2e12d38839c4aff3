/// @file error.hpp
/// @brief Error codes, the `dupstrip` error category, `result<T>` and `config_error`.
///
/// Three kinds of failure, three mechanisms (STYLE.md §4):
/// - per-document, expected failures are values: `result<T>` holding a `std::error_code`;
/// - invalid configuration throws `config_error` once, from `validate()` or a constructor;
/// - broken invariants are programmer errors (`DUPSTRIP_ASSERT`, internal).
#pragma once

#include <dupstrip/export.hpp>

#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace dupstrip {

/// dupstrip's own error conditions; errno values travel as `std::generic_category` codes.
enum class errc {
  ok = 0,
  invalid_utf8 = 1,   ///< the document is not valid UTF-8 and the policy is `strict`
  binary_file,        ///< a NUL byte in the first bytes: not a text document
  empty_document,     ///< nothing to fingerprint
  too_large,          ///< larger than the configured maximum document size
  not_regular_file,   ///< a FIFO, device, socket or other non-regular file
  io_error,           ///< a read or write failed without an errno
  bad_format,         ///< a persisted file or record is malformed
  unsupported_version, ///< a persisted file of another format version
  changed_during_run,  ///< the file changed between two reads of one run
  bad_compressed_data, ///< a .gz or .zst stream is corrupt or truncated
  too_deep            ///< a web page nests more elements than html_max_depth (html.hpp)
};

/// The `dupstrip` error category (name "dupstrip").
DUPSTRIP_EXPORT const std::error_category& error_category() noexcept;

/// Makes an error code in the `dupstrip` category.
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

/// Thrown for invalid configuration (a zero permutation count, bands x rows != permutations...).
class DUPSTRIP_EXPORT config_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A value or an error code, shaped like simdjson_result: `get(out)` returns the code,
/// `value()` throws `std::system_error` on an error.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::move(value)) {}             // NOLINT(google-explicit-constructor)
  result(std::error_code ec) : v_(ec) {}                 // NOLINT(google-explicit-constructor)
  result(errc e) : v_(make_error_code(e)) {}             // NOLINT(google-explicit-constructor)

  /// True when a value is held.
  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  /// The error (a default-constructed code when a value is held).
  [[nodiscard]] std::error_code error() const noexcept {
    return has_value() ? std::error_code{} : std::get<1>(v_);
  }
  /// Moves the value into `out` when there is one; returns the error code either way.
  std::error_code get(T& out) && {
    if (!has_value()) return std::get<1>(v_);
    out = std::move(std::get<0>(v_));
    return {};
  }
  /// The value; throws std::system_error holding the code when there is none.
  T& value() & {
    if (!has_value()) throw std::system_error(std::get<1>(v_));
    return std::get<0>(v_);
  }
  const T& value() const& {
    if (!has_value()) throw std::system_error(std::get<1>(v_));
    return std::get<0>(v_);
  }
  T&& value() && {
    if (!has_value()) throw std::system_error(std::get<1>(v_));
    return std::move(std::get<0>(v_));
  }

 private:
  std::variant<T, std::error_code> v_;
};

}  // namespace dupstrip

template <>
struct std::is_error_code_enum<dupstrip::errc> : std::true_type {};
