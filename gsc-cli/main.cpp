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

// Set by the signal thread before it removes what the run created. From then on, an error in
// the main thread is a consequence of that cleanup: it stays silent and the signal thread
// ends the process with 130.
std::atomic<bool> interrupted{false};

[[noreturn]] void wait_for_cleanup() {
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(60));
}

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

// Ctrl-C and SIGTERM: a dedicated thread waits for them, removes whatever gsc created in
// the daemon (containers, images of this run), and exits 130. Every other thread blocks them.
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
    interrupted = true;
    gsc::cli::restore_terminal();
    std::cerr << "\ngsc: interrupted: removing what this run created\n";
    gsc::docker::remove_registered_resources();
    std::_Exit(sig == SIGINT ? 130 : 128 + sig);
  }).detach();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args = normalize_aliases({argv + 1, argv + argc});
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      (args.empty() ? std::cerr : std::cout) << kUsage;
      return args.empty() ? 2 : 0;
    }
    start_signal_thread();
    const std::string command = args[0];
    args.erase(args.begin());
    const int status = gsc::cli::run_command(command, args);
    if (interrupted) wait_for_cleanup();
    return status;
  } catch (...) {
    if (interrupted) wait_for_cleanup();
    try {
      throw;
    } catch (const po::error& e) {
      std::cerr << "gsc: error: " << e.what() << ". Run `gsc " << (args.empty() ? "" : "COMMAND ")
                << "--help`.\n";
      return gsc::cli::exit_code(gsc::ErrorCategory::invalid_argument);
    } catch (const gsc::BuildError& e) {
      std::cerr << "gsc: error: docker build failed at `" << e.step() << "`: " << e.what() << '\n';
      if (!e.output().empty()) std::cerr << "  output of that step:\n" << e.output();
      return gsc::cli::exit_code(e.category());
    } catch (const gsc::Error& e) {
      std::cerr << "gsc: error: " << e.what() << '\n';
      return gsc::cli::exit_code(e.category());
    } catch (const std::exception& e) {
      std::cerr << "gsc: internal error: " << e.what() << ". Please report this.\n";
      return gsc::cli::exit_code(gsc::ErrorCategory::internal);
    } catch (...) {
      std::cerr << "gsc: internal error: unknown exception. Please report this.\n";
      return gsc::cli::exit_code(gsc::ErrorCategory::internal);
    }
  }
}
