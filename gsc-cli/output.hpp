#pragma once
// How the CLI talks to the user: progress on stderr as it happens, results on stdout as
// text (default), JSON (`--format json`, for pipelines) or only the image id (`-q`).

#include <boost/program_options.hpp>

#include <string>

#include "gsc/ops.hpp"
#include "gsc/progress.hpp"
#include "gsc/sigstruct.hpp"

namespace gsc::cli {

// Progress on stderr, one line per event; the export and hashing phase as a bar redrawn in
// place when stderr is a terminal, as a plain line every 10 s and at its end otherwise.
ProgressFn stderr_progress();

// verify-image's result: a verdict line, then one line per finding; or one JSON object.
std::string format_verify_text(const VerifyResult& result);
std::string format_verify_json(const VerifyResult& result);

// Adds `--format` and `-q/--quiet` to a command's options.
void add_output_flags(boost::program_options::options_description& options);

class Output {
 public:
  enum class Format { text, json, toml };
  enum class Default { text, toml };
  explicit Output(const boost::program_options::variables_map& vm, Default fallback = Default::text);

  // The callback to hand to an operation: prints its progress on stderr (nothing with -q).
  ProgressFn progress() const;

  void print_build(const BuildResult& result) const;
  void print_sign(const SignResult& result, const SignOptions& options) const;
  void print_build_gramine(const BuildGramineResult& result) const;
  void print_info(const SigstructInfo& info) const;

 private:
  Format format_;
  bool quiet_;
};

}  // namespace gsc::cli
