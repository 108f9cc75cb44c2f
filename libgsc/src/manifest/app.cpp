// The image's ENTRYPOINT/CMD, working dir, user and env as gsc uses them.

#include "manifest/app.hpp"

#include "gsc/error.hpp"
#include "manifest/text.hpp"

namespace gsc::manifest {
namespace {

// Why an env entry cannot go into a manifest, or "" when it can.
std::string env_problem(const std::string& name, const std::string& value) {
  if (name.empty()) return "An env entry of the image has no name: it is left out.";
  if (!is_utf8(name) || name.find('\n') != std::string::npos)
    return "An env name of the image is not UTF-8 or has a newline, which a Gramine manifest cannot carry: it is left out.";
  if (!is_utf8(value))
    return "The image's env `" + name + "` is not UTF-8, which a Gramine manifest cannot carry: it is left out.";
  if (value.find('\n') != std::string::npos)
    return "The image's env `" + name + "` has a newline in its value: it is left out. Set `loader.env." + name +
           "` in your manifest if the app needs it.";
  return "";
}

std::vector<EnvEntry> env_entries(const std::vector<std::string>& env, std::vector<std::string>& notes) {
  std::vector<EnvEntry> out;
  for (const auto& item : env) {
    const auto eq = item.find('=');
    const std::string name = item.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (std::string problem = env_problem(name, value); !problem.empty()) {
      notes.push_back(std::move(problem));
      continue;
    }
    out.push_back({name, value});
  }
  return out;
}

}  // namespace

AppCommand app_command(const ImageCommandInput& in) {
  AppCommand out;
  const std::vector<std::string> entrypoint = in.entrypoint.value_or(std::vector<std::string>{});
  const std::vector<std::string> cmd = in.cmd.value_or(std::vector<std::string>{});
  // Docker's meaning: ENTRYPOINT then CMD (the original dropped CMD[0] when ENTRYPOINT had 2+ items).
  out.argv = entrypoint;
  out.argv.insert(out.argv.end(), cmd.begin(), cmd.end());
  if (out.argv.empty() || out.argv.front().empty())
    throw Error(ErrorCategory::input,
                "cannot find the entrypoint binary: the image sets neither ENTRYPOINT nor CMD. Set ENTRYPOINT or CMD in its Dockerfile.");

  out.working_dir = in.working_dir.empty() ? "/" : in.working_dir;
  if (out.working_dir.back() != '/') out.working_dir += '/';
  out.user = in.user;

  out.binary = out.argv.front();
  if (out.binary.front() != '/' && out.binary.find('/') != std::string::npos) out.binary = out.working_dir + out.binary;
  if (out.binary.back() == '/')
    throw Error(ErrorCategory::input, "cannot find the entrypoint binary: `" + out.argv.front() +
                                          "` names a directory. Set ENTRYPOINT or CMD to the program to run.");
  if (!entrypoint.empty()) {
    out.binary_arguments.assign(entrypoint.begin() + 1, entrypoint.end());
    out.cmd = cmd;
  } else {
    out.cmd.assign(cmd.begin() + 1, cmd.end());
  }
  // argv[0] as ENTRYPOINT/CMD says, as Docker runs it (Gramine starts libos.entrypoint, the
  // real file; argv[0] is what the app sees, which multi-call binaries such as busybox read).

  out.env = env_entries(in.env, out.notes);
  for (const auto& e : out.env)
    if (e.name == "PATH") out.path = e.value;
  return out;
}

}  // namespace gsc::manifest
