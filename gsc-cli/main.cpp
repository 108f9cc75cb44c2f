// gsc: the command line front end. Parses a subcommand's flags into libgsc's options,
// calls one libgsc operation, prints its result. Every gsc::Error becomes one line on
// stderr and its documented exit status; nothing else escapes.

#include <boost/program_options.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <pthread.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "cli_support.hpp"
#include "commands.hpp"
#include "passphrase.hpp"
#include "gsc/docker.hpp"
#include "gsc/error.hpp"

namespace po = boost::program_options;

namespace {

// The first signal that stopped the run (0: none): SIGINT ends it with 130, SIGTERM with 143.
std::atomic<int> stopped_by{0};

constexpr const char* kUsage =
    "usage: gsc COMMAND [OPTIONS] ...\n"
    "\n"
    "Commands:\n"
    "  build          Build an unsigned graminized image: gsc build IMAGE MANIFEST\n"
    "  sign-image     Sign a graminized image: gsc sign-image IMAGE KEY-FILE\n"
    "  build-gramine  Build a base image with Gramine compiled from source: gsc build-gramine IMAGE\n"
    "  info-image     Print the SIGSTRUCT fields (MRENCLAVE, MRSIGNER, ...): gsc info-image IMAGE\n"
    "  diff-image     Explain why two graminized images measure differently: gsc diff-image A B\n"
    "  verify-image   Recompute a signed image's MRENCLAVE from its contents: gsc verify-image IMAGE\n"
    "  prune          Remove what gsc processes that no longer run left in the daemon: gsc prune\n"
    "  version        Print gsc's version and the Docker daemon's\n"
    "\n"
    "Run `gsc COMMAND --help` for a command's options.\n";

// The original accepted a few spellings that Boost.Program_options cannot express
// (`-nc`, a two-letter short option; a second long name); rewrite them to ours first.
std::vector<std::string> normalize_aliases(std::vector<std::string> args) {
  static const std::map<std::string, std::string> aliases = {
      {"-nc", "--no-cache"}, {"--password", "--passphrase"}, {"--config_file", "--config"}};
  for (auto& arg : args) {
    if (auto it = aliases.find(arg); it != aliases.end()) arg = it->second;
    for (const auto& [alias, name] : aliases)
      if (arg.rfind(alias + "=", 0) == 0) arg = name + arg.substr(alias.size());
  }
  return args;
}

// Ctrl-C, SIGTERM, SIGHUP: a dedicated thread waits for them (every other thread blocks them).
// The first one stops the running operation through its stop source: it returns promptly,
// removes what it created (its daemon requests have deadlines) and main() exits 130. A second
// one, or one while no operation runs (nothing to remove), ends gsc at once.
void start_signal_thread() {
  static sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([] {
    int sig = 0;
    sigwait(&set, &sig);
    gsc::cli::restore_terminal();
    stopped_by = sig;
    if (!gsc::cli::operation_running) std::_Exit(sig == SIGINT ? 130 : 128 + sig);
    std::cerr << "\ngsc: interrupted: stopping and removing what this run created (Ctrl-C again to quit at once)\n";
    gsc::cli::stop_source().request_stop();
    sigwait(&set, &sig);
    std::_Exit(130);
  }).detach();
}

// The status of a run that was stopped by a signal, whatever error the stop caused.
int stopped_status(int status) {
  const int sig = stopped_by;
  if (sig == 0) return status;
  return sig == SIGINT ? 130 : 128 + sig;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args = normalize_aliases({argv + 1, argv + argc});
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      (args.empty() ? std::cerr : std::cout) << kUsage;
      return args.empty() ? 2 : 0;
    }
    // A closed output pipe fails the write (and the operation stops, see output.cpp) instead
    // of killing gsc before it removed what it created.
    std::signal(SIGPIPE, SIG_IGN);
    start_signal_thread();
    const std::string command = args[0];
    args.erase(args.begin());
    const int status = gsc::cli::run_command(command, args);
    std::cout.flush();
    if (!std::cout) return stopped_status(gsc::cli::exit_code(gsc::ErrorCategory::input));  // the result went nowhere
    return stopped_status(status);
  } catch (...) {
    try {
      throw;
    } catch (const po::error& e) {
      std::cerr << "gsc: error: " << e.what() << ". Run `gsc " << (args.empty() ? "" : "COMMAND ")
                << "--help`.\n";
      return stopped_status(gsc::cli::exit_code(gsc::ErrorCategory::invalid_argument));
    } catch (const gsc::BuildError& e) {
      std::cerr << "gsc: error: docker build failed at `" << e.step() << "`: " << e.what() << '\n';
      if (!e.output().empty()) std::cerr << "  output of that step:\n" << e.output();
      return stopped_status(gsc::cli::exit_code(e.category()));
    } catch (const gsc::Error& e) {
      std::cerr << "gsc: error: " << e.what() << '\n';
      return stopped_status(gsc::cli::exit_code(e.category()));
    } catch (const std::exception& e) {
      std::cerr << "gsc: internal error: " << e.what() << ". Please report this.\n";
      return stopped_status(gsc::cli::exit_code(gsc::ErrorCategory::internal));
    } catch (...) {
      std::cerr << "gsc: internal error: unknown exception. Please report this.\n";
      return stopped_status(gsc::cli::exit_code(gsc::ErrorCategory::internal));
    }
  }
}
