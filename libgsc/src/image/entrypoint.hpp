#pragma once
// The app's entry point inside the image: argv[0] found like execvp finds it, then followed
// through every symlink (absolute, relative, chains, "..") to the real file. Gramine gets the
// real file as libos.entrypoint: it reports that path as /proc/self/exe, and a runtime that
// finds its libraries from there (the JVM's $ORIGIN RPATH) must see the real place.

#include <string>
#include <vector>

#include "image/scan.hpp"

namespace gsc::image {

// Where a path leads, link by link.
struct LinkChain {
  // not_directory: a file (or other non-directory) is followed by more of the path, even "."
  // or ".." (`/usr/bin/echo/.`): Linux's ENOTDIR.
  enum class End { file, directory, other, missing, dangling, loop, not_directory };
  // The path as given, then the whole path each symlink led to; for a resolved path, back()
  // is the real path. For a loop, back() repeats an earlier hop.
  std::vector<std::string> hops;
  End end = End::missing;
  std::string not_directory;  // End::not_directory: the real path of what is no directory
};

// Follows `path` (absolute) through every symlink of the image.
LinkChain follow_links(const Filesystem& fs, const std::string& path);

// "/usr/bin/java -> /etc/alternatives/java -> /usr/lib/jvm/.../bin/java".
std::string chain_text(const LinkChain& chain);

struct EntryPoint {
  std::string found;                // where argv[0] was found, e.g. /usr/bin/java
  std::string real;                 // the file itself, every symlink followed
  std::vector<std::string> chain;   // found, ..., real (only `found` when it is no link)
};

// Resolves the app's binary: a bare name along `path_value` (the image's PATH) like execvp,
// an absolute path as it is (a relative one with '/' arrives prefixed by the working dir).
// A missing binary, a dangling link, a loop, a directory, a file used as a directory or a
// file without execute permission is an input error of one line naming the chain. The real
// file's path must be UTF-8 (it becomes libos.entrypoint).
EntryPoint resolve_entrypoint(const Filesystem& fs, const std::string& binary, const std::string& path_value);

// The interpreter a script names in its first line ("#!/usr/bin/env python3" -> "python3",
// "#!/bin/sh -e" -> "/bin/sh"); "" for anything else (an ELF binary).
std::string script_interpreter(const std::string& head);

}  // namespace gsc::image
