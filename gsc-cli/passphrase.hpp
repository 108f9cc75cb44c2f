#pragma once
// Where sign-image's passphrase comes from. `-p` puts it on the command line, where `ps` shows
// it; the other ways do not: a file, a file descriptor, an environment variable, or a prompt
// on the terminal when the key is encrypted and none of them was given.

#include <boost/program_options.hpp>

#include <optional>
#include <string>

namespace gsc::cli {

// Adds -p/--passphrase, --passphrase-file, --passphrase-fd, --passphrase-env.
void add_passphrase_flags(boost::program_options::options_description& options);

// The passphrase the flags name (at most one of them), else a prompt on /dev/tty if the key
// file is encrypted and there is a terminal, else std::nullopt.
std::optional<std::string> passphrase_from(const boost::program_options::variables_map& vm, const std::string& key_path);

// Puts the terminal back as it was if a prompt is interrupted (called by the Ctrl-C handler).
void restore_terminal() noexcept;

}  // namespace gsc::cli
