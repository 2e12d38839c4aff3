// dupstrip's entry point: parse, run, map to an exit code (0 done, 1 some inputs skipped,
// 2 usage or fatal error). Everything else is in the library or the other CLI files.
#include "commands.hpp"
#include "messages.hpp"
#include "options.hpp"

#include <dupstrip/info.hpp>
#include <dupstrip/version.hpp>

#include <fmt/format.h>

#include <exception>

namespace {

std::string version_text() {
  return fmt::format("dupstrip {} (rev {})\nlibrary {}; {}; signature format {}, report schema {}",
                     DUPSTRIP_VERSION_STRING, DUPSTRIP_GIT_REV, dupstrip::library_version(),
                     dupstrip::dependency_versions(), dupstrip::signature_format_version,
                     dupstrip::report_schema_version);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dupstrip: strip repeated blocks and site boilerplate from scraped articles and drop "
               "near-duplicate documents",
               "dupstrip"};
  dupstrip::cli::cli_args args;
  app.set_version_flag("-V,--version", version_text());
  dupstrip::cli::define(app, args);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version: stdout, exit 0
    fmt::print(stderr, "dupstrip: {}\ntry 'dupstrip --help'\n", e.what());
    return 2;
  }
  try {
    return dupstrip::cli::run_command(args);
  } catch (const std::exception& e) {
    dupstrip::cli::messages::get().error(e.what());
    return 2;
  }
}
