#pragma once
// What gsc takes from the application image's config: the command (argv, the binary, the
// trusted argv), the working directory, the user, and the env as loader.env entries.

#include <optional>
#include <string>
#include <vector>

#include "manifest/distro.hpp"  // Distro, parse_distro (callers include them from here too)

namespace gsc::manifest {

// The parts of an image's config (`docker inspect` .Config) that gsc reads.
struct ImageCommandInput {
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> env;  // "K=V"
  std::string working_dir;
  std::string user;
};

struct EnvEntry {
  std::string name;
  std::string value;
};

struct AppCommand {
  std::vector<std::string> argv;              // ENTRYPOINT then CMD, as Docker runs it
  std::string binary;                         // argv[0]; relative with '/': working dir prefixed; bare: as is
  std::vector<std::string> binary_arguments;  // ENTRYPOINT[1:] (empty without ENTRYPOINT)
  std::vector<std::string> cmd;               // CMD (CMD[1:] without ENTRYPOINT); runtime args replace it with --insecure-args
  std::string working_dir;                    // "/" when empty, always ending in '/'
  std::string user;                           // the image's USER; "" when unset (uid 0, no passwd lookup)
  std::vector<EnvEntry> env;                  // in image order, values raw (escaped when written)
  std::string path;                           // the image's PATH ("" when unset)
  std::vector<std::string> notes;             // skipped env entries, one line each
};

// Reads the command from the image config. No entrypoint nor cmd: an input error.
// Never adds env of its own (no LC_ALL: the image may lack the locale).
AppCommand app_command(const ImageCommandInput& input);

}  // namespace gsc::manifest
