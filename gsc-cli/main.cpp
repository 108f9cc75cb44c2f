// gsc: the command line front end. Parses a subcommand's flags into libgsc's options,
// calls one libgsc operation, prints its result. Every gsc::Error becomes one line on
// stderr and its documented exit status; nothing else escapes.

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "gsc/error.hpp"

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
      std::cout << "usage: gsc {build,sign-image,build-gramine,info-image,version} ...\n";
      return args.empty() ? 2 : 0;
    }
    throw gsc::Error(gsc::ErrorCategory::usage, "unknown command `" + args[0] + "`. Run `gsc --help`.");
  } catch (const gsc::Error& e) {
    std::cerr << "gsc: error: " << e.what() << '\n';
    return gsc::exit_code(e.category());
  } catch (const std::exception& e) {
    std::cerr << "gsc: internal error: " << e.what() << '\n';
    return 70;
  }
}
