#include "gramine/host_runtime.hpp"

#include <cstring>
#include <map>
#include <set>

#include "gsc/error.hpp"

namespace gsc::gramine {
namespace {

constexpr std::uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3;
constexpr std::int64_t kDtNull = 0, kDtNeeded = 1, kDtStrtab = 5, kDtRpath = 15, kDtRunpath = 29;

template <typename T>
T get(const std::string& bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

struct Phdr {
  std::uint32_t type;
  std::uint64_t offset, vaddr, filesz;
};

[[noreturn]] void damaged(const std::string& name, const std::string& why) {
  throw Error(ErrorCategory::input, "`" + name + "` is not a usable ELF64 file: " + why + ".");
}

std::vector<Phdr> program_headers(const std::string& elf, const std::string& name) {
  if (elf.size() < 64 || elf.compare(0, 4, "\x7f" "ELF") != 0 || elf[4] != 2 || elf[5] != 1)
    damaged(name, "no 64-bit little-endian ELF header");
  const auto phoff = get<std::uint64_t>(elf, 32);
  const auto phentsize = get<std::uint16_t>(elf, 54);
  const auto phnum = get<std::uint16_t>(elf, 56);
  if (phentsize < 56 || phoff > elf.size() || std::uint64_t{phnum} * phentsize > elf.size() - phoff)
    damaged(name, "program headers beyond the file");
  std::vector<Phdr> out;
  for (std::uint16_t i = 0; i < phnum; ++i) {
    const std::size_t at = phoff + std::size_t{i} * phentsize;
    Phdr p{get<std::uint32_t>(elf, at), get<std::uint64_t>(elf, at + 8), get<std::uint64_t>(elf, at + 16),
           get<std::uint64_t>(elf, at + 32)};
    if (p.offset > elf.size() || p.filesz > elf.size() - p.offset) damaged(name, "a segment reaches beyond the file");
    out.push_back(p);
  }
  return out;
}

// The file offset of a virtual address, through the PT_LOAD that maps it.
std::optional<std::uint64_t> file_offset(const std::vector<Phdr>& phdrs, std::uint64_t vaddr) {
  for (const auto& p : phdrs)
    if (p.type == kPtLoad && vaddr >= p.vaddr && vaddr - p.vaddr < p.filesz) return p.offset + (vaddr - p.vaddr);
  return std::nullopt;
}

std::string c_string(const std::string& elf, std::uint64_t offset, const std::string& name) {
  const auto end = elf.find('\0', offset);
  if (offset >= elf.size() || end == std::string::npos || end - offset > 4096) damaged(name, "a string beyond the file");
  return elf.substr(offset, end - offset);
}

std::vector<std::string> split_paths(const std::string& value) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= value.size()) {
    const std::size_t j = std::min(value.find(':', i), value.size());
    if (j > i) out.push_back(value.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

ElfDynamic read_dynamic(const std::string& elf, const std::string& name) {
  const auto phdrs = program_headers(elf, name);
  ElfDynamic out;
  for (const auto& p : phdrs) {
    if (p.type == kPtInterp) out.interpreter = c_string(elf, p.offset, name);
    if (p.type != kPtDynamic) continue;
    std::uint64_t strtab = 0;
    std::vector<std::pair<std::int64_t, std::uint64_t>> entries;
    for (std::uint64_t at = p.offset; at + 16 <= p.offset + p.filesz; at += 16) {
      const auto tag = get<std::int64_t>(elf, at);
      if (tag == kDtNull) break;
      const auto val = get<std::uint64_t>(elf, at + 8);
      if (tag == kDtStrtab) strtab = val;
      entries.emplace_back(tag, val);
    }
    const auto strtab_offset = file_offset(phdrs, strtab);
    if (!strtab_offset) damaged(name, "its dynamic string table is not mapped");
    for (const auto& [tag, val] : entries) {
      if (tag == kDtNeeded) out.needed.push_back(c_string(elf, *strtab_offset + val, name));
      if (tag == kDtRunpath || (tag == kDtRpath && out.runpath.empty()))
        out.runpath = split_paths(c_string(elf, *strtab_offset + val, name));
    }
  }
  return out;
}

std::string with_interpreter(const std::string& elf, const std::string& interpreter, const std::string& name) {
  for (const auto& p : program_headers(elf, name)) {
    if (p.type != kPtInterp) continue;
    if (interpreter.size() + 1 > p.filesz)
      throw Error(ErrorCategory::input, "`" + name + "`: the interpreter path `" + interpreter + "` does not fit in its " +
                                            std::to_string(p.filesz) + "-byte PT_INTERP.");
    std::string out = elf;
    std::memset(out.data() + p.offset, 0, p.filesz);
    std::memcpy(out.data() + p.offset, interpreter.data(), interpreter.size());
    return out;
  }
  throw Error(ErrorCategory::input, "`" + name + "` has no ELF interpreter (PT_INTERP) to replace.");
}

std::vector<std::string> default_library_dirs() {
  return {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"};
}

std::vector<HostFile> sgx_loader_files(const ImageFileReader& read, const std::string& loader_path,
                                       const std::vector<std::string>& library_dirs) {
  const auto loader = read(loader_path);
  if (!loader) throw Error(ErrorCategory::input, "The Gramine image has no SGX loader at " + loader_path + ".");
  const ElfDynamic dynamic = read_dynamic(*loader, loader_path);
  std::vector<HostFile> out;
  if (dynamic.interpreter.empty()) {  // static: nothing else to bring
    out.push_back({kSgxLoader, loader_path, *loader});
    return out;
  }
  out.push_back({kSgxLoader, loader_path, with_interpreter(*loader, kDynamicLinker, loader_path)});
  const auto linker = read(dynamic.interpreter);
  if (!linker)
    throw Error(ErrorCategory::input, "The Gramine image has no " + dynamic.interpreter + ", the ELF interpreter of " +
                                          loader_path + ".");
  out.push_back({kDynamicLinker, dynamic.interpreter, *linker});

  // Breadth first over DT_NEEDED, as the dynamic linker loads them; each soname once.
  std::set<std::string> seen{base_name(dynamic.interpreter)};
  std::vector<std::pair<std::string, ElfDynamic>> pending{{loader_path, dynamic}};
  for (std::size_t next = 0; next < pending.size(); ++next) {
    const auto [who, needs] = pending[next];
    for (const auto& soname : needs.needed) {
      if (!seen.insert(soname).second) continue;
      if (soname.find('/') != std::string::npos)
        throw Error(ErrorCategory::input, "`" + who + "` needs `" + soname + "` by path: gsc brings libraries by soname.");
      std::optional<std::string> bytes;
      std::string found;
      std::vector<std::string> dirs = needs.runpath;
      dirs.insert(dirs.end(), library_dirs.begin(), library_dirs.end());
      for (const auto& dir : dirs) {
        if ((bytes = read(dir + "/" + soname))) {
          found = dir + "/" + soname;
          break;
        }
      }
      if (!bytes)
        throw Error(ErrorCategory::input, "The Gramine image has no `" + soname + "`, which `" + who +
                                              "` needs (looked in " + std::to_string(dirs.size()) + " library directories).");
      pending.emplace_back(found, read_dynamic(*bytes, found));
      out.push_back({std::string(kHostLibDir) + "/" + soname, found, std::move(*bytes)});
      if (pending.size() > 64) throw Error(ErrorCategory::input, "`" + loader_path + "` needs more than 64 libraries.");
    }
  }
  return out;
}

}  // namespace gsc::gramine
