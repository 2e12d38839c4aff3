// dupstrip's entry point: parse, run, map to an exit code (0 done, 1 some inputs skipped,
// 2 usage or fatal error). Everything else is in the library or the other CLI files.
#include "commands.hpp"
#include "messages.hpp"
#include "options.hpp"

#include <dupstrip/info.hpp>
#include <dupstrip/io.hpp>
#include <dupstrip/version.hpp>

#include <fmt/format.h>

#include <csignal>
#include <exception>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <thread>

namespace {

std::string version_text() {
  return fmt::format("dupstrip {} (rev {})\nlibrary {}; {}; signature format {}, report schema {}",
                     DUPSTRIP_VERSION_STRING, DUPSTRIP_GIT_REV, dupstrip::library_version(),
                     dupstrip::dependency_versions(), dupstrip::signature_format_version,
                     dupstrip::report_schema_version);
}

// SIGINT / SIGTERM / SIGHUP: the signals are blocked in every thread and taken by one thread
// with sigwait; it removes the temporaries of outputs being written, then lets the process die
// of the same signal (so the parent sees the usual status). Complete outputs stay, and nothing
// partial is ever left under a final name (every output is a temporary renamed when complete).
void install_signal_thread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // inherited by every thread started later
  std::thread([set] {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    dupstrip::remove_pending_temporaries();
    std::signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
    std::raise(sig);
  }).detach();
}

// glibc's allocator grows a heap by just what a request needs and gives freed memory at the
// top back at once, so a run that allocates and frees per document keeps faulting fresh pages
// in (in a process with threads, each fault also takes the address space's lock). 8 MiB of
// padding per growth cuts the faults of the bench corpus by a quarter and its time by 2-3%
// (bench/README.md); it costs at most 8 MiB of retained memory per allocator arena.
void tune_allocator() {
#if defined(__GLIBC__)
  mallopt(M_TOP_PAD, 8 << 20);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  tune_allocator();
  install_signal_thread();
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
    return args.command == "merge" ? dupstrip::cli::run_merge(args) : dupstrip::cli::run_command(args);
  } catch (const std::exception& e) {
    dupstrip::cli::messages::get().error(e.what());
    return 2;
  }
}
