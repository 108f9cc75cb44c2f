// The enclave layout and MRENCLAVE of Gramine v1.9 (python/graminelibos/sgx_sign.py:
// get_memory_areas, populate_memory_areas, gen_area_content, generate_measurement), with the
// constants of its _graminelibos_offsets.py.

#include "gramine/enclave.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "gsc/error.hpp"

namespace gsc::gramine {
namespace {

constexpr std::uint64_t kPage = 0x1000;
constexpr std::uint64_t kSsaFrameSize = 0x4000;
constexpr std::uint64_t kSsaFrameNum = 2;
constexpr std::uint64_t kTcsSize = 0x1000;
constexpr std::uint64_t kStackSize = 0x40000;
constexpr std::uint64_t kSigStackSize = 0x10000;
constexpr std::uint64_t kEnclaveBase = 0x0;
constexpr std::uint64_t kHeapMin = 0x10000;  // MMAP_MIN_ADDR
constexpr std::uint64_t kGprSize = 0xb8;
constexpr std::uint64_t kCanary = 0xbadbadbadbadULL;

// TCS fields
constexpr std::size_t kTcsOssa = 0x10, kTcsNssa = 0x1c, kTcsOentry = 0x20, kTcsOgsBase = 0x38, kTcsOfsLimit = 0x40,
                      kTcsOgsLimit = 0x44;
// Gramine's per-thread enclave TLS (struct enclave_tls)
constexpr std::size_t kTlsSelf = 0x0, kTlsCanary = 0x8, kTlsEnclaveSize = 0x110, kTlsTcsOffset = 0x118,
                      kTlsInitialStack = 0x120, kTlsSigStackLow = 0x130, kTlsSigStackHigh = 0x138, kTlsSsa = 0x148,
                      kTlsGpr = 0x150, kTlsManifestSize = 0x1a0, kTlsHeapMin = 0x1a8, kTlsHeapMax = 0x1b0;

// SECINFO flags
constexpr std::uint64_t kR = 0x1, kW = 0x2, kX = 0x4, kTcs = 0x100, kReg = 0x200;

std::uint64_t round_down(std::uint64_t a) { return a - a % kPage; }
std::uint64_t round_up(std::uint64_t a) { return a % kPage ? a + (kPage - a % kPage) : a; }

template <typename T>
void put(std::string& buffer, std::size_t offset, T value) {
  std::memcpy(buffer.data() + offset, &value, sizeof value);  // x86-64: little-endian
}

template <typename T>
T get(const std::string& bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

struct Region {
  std::string desc;
  std::uint64_t addr = 0;
  bool placed = false;      // addr known (fixed ELF address, or assigned by the layout)
  std::uint64_t size = 0;
  std::uint64_t flags = 0;
  bool measure = true;
  std::string content;      // page contents (zero-padded); empty = zero pages
  const ElfImage* elf = nullptr;
};

class Digest {
 public:
  Digest() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }
  void update(const void* data, std::size_t size) { EVP_DigestUpdate(ctx_.get(), data, size); }
  std::array<std::uint8_t, 32> finish() {
    std::array<std::uint8_t, 32> out{};
    unsigned length = 0;
    EVP_DigestFinal_ex(ctx_.get(), out.data(), &length);
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

// The SGX instructions' records as hashed into MRENCLAVE: 64 bytes each (EEXTEND's followed by
// the 256 bytes it extends).
class Measurer {
 public:
  explicit Measurer(std::uint64_t enclave_size) : size_(enclave_size) {
    char rec[64] = {};
    std::memcpy(rec, "ECREATE", 7);
    const std::uint32_t ssa_pages = static_cast<std::uint32_t>(kSsaFrameSize / kPage);
    std::memcpy(rec + 8, &ssa_pages, 4);
    std::memcpy(rec + 12, &enclave_size, 8);
    digest_.update(rec, sizeof rec);
  }

  // EADD of one page, then (when measured) EEXTEND of each of its 256-byte chunks.
  void page(std::uint64_t addr, std::uint64_t flags, const char* data, bool measured) {
    const std::uint64_t offset = addr - kEnclaveBase;
    if (offset >= size_) throw Error(ErrorCategory::internal, "enclave page beyond the enclave size");
    char rec[64] = {};
    std::memcpy(rec, "EADD", 4);
    std::memcpy(rec + 8, &offset, 8);
    std::memcpy(rec + 16, &flags, 8);
    pending_.append(rec, sizeof rec);
    if (measured) {
      for (std::uint64_t i = 0; i < kPage; i += 256) {
        char ext[64] = {};
        std::memcpy(ext, "EEXTEND", 7);
        const std::uint64_t at = offset + i;
        std::memcpy(ext + 8, &at, 8);
        pending_.append(ext, sizeof ext);
        pending_.append(data + i, 256);
      }
    }
    if (pending_.size() >= (1u << 16)) flush();
  }

  std::array<std::uint8_t, 32> finish() {
    flush();
    return digest_.finish();
  }

 private:
  void flush() {
    digest_.update(pending_.data(), pending_.size());
    pending_.clear();
  }

  std::uint64_t size_;
  Digest digest_;
  std::string pending_;
};

// One ELF segment's pages, as load_file() assembles them from the file and zeros.
void measure_segment(Measurer& m, const std::string& file, const LoadSegment& s, std::uint64_t addr,
                     std::uint64_t flags) {
  const std::uint64_t f_addr = round_down(s.offset);
  const std::uint64_t m_addr = round_down(addr);
  const std::uint64_t m_size = round_up(addr + s.memsz) - m_addr;
  std::string page;
  for (std::uint64_t p = m_addr; p < m_addr + m_size; p += kPage) {
    std::uint64_t start = p - m_addr + f_addr;
    std::uint64_t end = start + kPage;
    const std::uint64_t start_zero = start < s.offset ? std::min(s.offset - start, kPage) : 0;
    const std::uint64_t end_zero = end > s.offset + s.filesz ? std::min(end - s.offset - s.filesz, kPage) : 0;
    start += start_zero;
    end -= end_zero;
    page.assign(start_zero, '\0');
    if (start < end) page.append(file, start, end - start);
    page.append(end_zero, '\0');
    if (page.size() != kPage)
      throw Error(ErrorCategory::input, "libpal.so is truncated: a loadable segment reaches beyond the file.");
    m.page(p, flags, page.data(), true);
  }
}

}  // namespace

ElfImage parse_elf(const std::string& bytes, const std::string& name) {
  auto fail = [&](const std::string& why) -> ElfImage {
    throw Error(ErrorCategory::input, "`" + name + "` is not a usable ELF64 file: " + why + ".");
  };
  if (bytes.size() < 64 || bytes.compare(0, 4, "\x7f" "ELF") != 0) return fail("no ELF header");
  if (bytes[4] != 2 || bytes[5] != 1) return fail("not 64-bit little-endian");
  ElfImage elf;
  elf.entry = get<std::uint64_t>(bytes, 24);
  const auto phoff = get<std::uint64_t>(bytes, 32);
  const auto phentsize = get<std::uint16_t>(bytes, 54);
  const auto phnum = get<std::uint16_t>(bytes, 56);
  if (phentsize < 56) return fail("program headers too small");
  if (phoff > bytes.size() || std::uint64_t{phnum} * phentsize > bytes.size() - phoff)
    return fail("program headers beyond the file");
  for (std::uint16_t i = 0; i < phnum; ++i) {
    const std::size_t at = phoff + std::size_t{i} * phentsize;
    if (get<std::uint32_t>(bytes, at) != 1) continue;  // PT_LOAD
    LoadSegment s;
    s.flags = get<std::uint32_t>(bytes, at + 4);
    s.offset = get<std::uint64_t>(bytes, at + 8);
    s.vaddr = get<std::uint64_t>(bytes, at + 16);
    s.filesz = get<std::uint64_t>(bytes, at + 32);
    s.memsz = get<std::uint64_t>(bytes, at + 40);
    if (s.offset > bytes.size() || s.filesz > bytes.size() - s.offset) return fail("a segment reaches beyond the file");
    if (s.memsz > (1ULL << 40) || s.vaddr > (1ULL << 47)) return fail("a segment is implausibly large");
    elf.segments.push_back(s);
  }
  if (elf.segments.empty()) return fail("no loadable segment");
  return elf;
}

Measurement measure_enclave(const std::string& manifest_sgx, const std::string& libpal, const EnclaveAttributes& a) {
  const ElfImage pal = parse_elf(libpal, "libpal.so");
  const std::uint64_t threads = a.max_threads;
  const std::uint64_t enclave_size = a.enclave_size;
  auto too_small = [&] {
    throw Error(ErrorCategory::input, "`sgx.enclave_size` (" + std::to_string(enclave_size >> 20) + " MiB) cannot hold "
                                      "Gramine's enclave layout for " + std::to_string(threads) +
                                      " threads (sgx.max_threads). Raise sgx.enclave_size (a power of two, e.g. \"1G\").");
  };
  if (threads == 0 || threads > (1u << 20)) throw Error(ErrorCategory::input, "`sgx.max_threads` is out of range.");

  // get_memory_areas(), with the manifest (NUL-terminated) in front.
  std::vector<Region> regions;
  {
    Region manifest{"manifest"};
    manifest.content = manifest_sgx;
    manifest.content.push_back('\0');
    manifest.size = round_up(manifest.content.size());
    manifest.flags = kR | kReg;
    regions.push_back(std::move(manifest));
  }
  regions.push_back({"ssa", 0, false, round_up(threads * kSsaFrameSize * kSsaFrameNum), kR | kW | kReg});
  regions.push_back({"tcs", 0, false, round_up(threads * kTcsSize), kTcs});
  regions.push_back({"tls", 0, false, round_up(threads * kPage), kR | kW | kReg});
  for (std::uint64_t t = 0; t < threads; ++t) regions.push_back({"stack", 0, false, kStackSize, kR | kW | kReg});
  for (std::uint64_t t = 0; t < threads; ++t) regions.push_back({"sig_stack", 0, false, kSigStackSize, kR | kW | kReg});
  {
    Region r{"pal"};
    std::uint64_t map_start = UINT64_MAX, map_end = 0;
    for (const auto& s : pal.segments) {
      map_start = std::min(map_start, round_down(s.vaddr));
      map_end = std::max(map_end, round_up(s.vaddr + s.memsz));
    }
    r.size = round_up(map_end - map_start);
    if (map_start > 0) {
      r.addr = round_down(map_start);
      r.placed = true;
    }
    r.flags = kReg;
    r.elf = &pal;
    regions.push_back(std::move(r));
  }

  // populate_memory_areas(): from the top of the enclave down, in list order.
  std::uint64_t last = kEnclaveBase + enclave_size;
  for (auto& r : regions) {
    if (r.placed) continue;
    if (r.size > last || last - r.size < kHeapMin) too_small();
    r.addr = last - r.size;
    r.placed = true;
    last = r.addr;
  }

  auto find = [&](const std::string& desc) -> Region& {
    return *std::find_if(regions.begin(), regions.end(), [&](const Region& r) { return r.desc == desc; });
  };
  Region& ssa = find("ssa");
  Region& tcs = find("tcs");
  Region& tls = find("tls");
  Region& pal_region = find("pal");
  std::vector<const Region*> stacks, sig_stacks;
  for (const auto& r : regions) {
    if (r.desc == "stack") stacks.push_back(&r);
    if (r.desc == "sig_stack") sig_stacks.push_back(&r);
  }
  const std::uint64_t heap_max = pal_region.addr;
  for (const auto& r : regions)
    if (!(r.addr + r.size <= kHeapMin || r.addr >= heap_max))
      throw Error(ErrorCategory::input, "libpal.so overlaps the enclave heap: not a Gramine v1.9 SGX PAL.");

  // gen_area_content(): TCS and TLS of each thread.
  std::string tcs_data(tcs.size, '\0'), tls_data(tls.size, '\0');
  const std::uint64_t manifest_size = regions.front().content.size();
  for (std::uint64_t t = 0; t < threads; ++t) {
    const std::uint64_t ssa_addr = ssa.addr + kSsaFrameSize * kSsaFrameNum * t;
    const std::size_t tc = t * kTcsSize;
    put<std::uint64_t>(tcs_data, tc + kTcsOssa, ssa_addr - kEnclaveBase);
    put<std::uint32_t>(tcs_data, tc + kTcsNssa, static_cast<std::uint32_t>(kSsaFrameNum));
    put<std::uint64_t>(tcs_data, tc + kTcsOentry, pal_region.addr + pal.entry - kEnclaveBase);
    put<std::uint64_t>(tcs_data, tc + kTcsOgsBase, tls.addr - kEnclaveBase + kPage * t);
    put<std::uint32_t>(tcs_data, tc + kTcsOfsLimit, 0xfff);
    put<std::uint32_t>(tcs_data, tc + kTcsOgsLimit, 0xfff);
    const std::size_t tl = t * kPage;
    put<std::uint64_t>(tls_data, tl + kTlsSelf, tls.addr + kPage * t);
    put<std::uint64_t>(tls_data, tl + kTlsCanary, kCanary);
    put<std::uint64_t>(tls_data, tl + kTlsEnclaveSize, enclave_size);
    put<std::uint64_t>(tls_data, tl + kTlsTcsOffset, tcs.addr - kEnclaveBase + kTcsSize * t);
    put<std::uint64_t>(tls_data, tl + kTlsInitialStack, stacks[t]->addr + stacks[t]->size);
    put<std::uint64_t>(tls_data, tl + kTlsSigStackLow, sig_stacks[t]->addr);
    put<std::uint64_t>(tls_data, tl + kTlsSigStackHigh, sig_stacks[t]->addr + sig_stacks[t]->size);
    put<std::uint64_t>(tls_data, tl + kTlsSsa, ssa_addr);
    put<std::uint64_t>(tls_data, tl + kTlsGpr, ssa_addr + kSsaFrameSize - kGprSize);
    put<std::uint64_t>(tls_data, tl + kTlsManifestSize, manifest_size);
    put<std::uint64_t>(tls_data, tl + kTlsHeapMin, kHeapMin);
    put<std::uint64_t>(tls_data, tl + kTlsHeapMax, heap_max);
  }
  tcs.content = std::move(tcs_data);
  tls.content = std::move(tls_data);

  // The heap: added (EADD) but not measured; enclaves with EDMM add it at run time.
  if (!a.edmm) {
    std::vector<Region> free;
    for (const auto& r : regions) {
      const std::uint64_t end = r.addr + r.size;
      if (end < last) {
        free.push_back({"free", end, true, last - end, kR | kW | kX | kReg, false});
        last = r.addr;
      }
    }
    if (last > kHeapMin) free.push_back({"free", kHeapMin, true, last - kHeapMin, kR | kW | kX | kReg, false});
    for (auto& f : free) regions.push_back(std::move(f));
  }

  // generate_measurement()
  Measurement out;
  Measurer m(enclave_size);
  const std::string zero(kPage, '\0');
  std::string page;
  for (const auto& r : regions) {
    out.areas.push_back({r.desc, r.addr, r.size, r.measure});
    if (r.elf) {
      std::uint64_t map_start = UINT64_MAX;
      for (const auto& s : r.elf->segments) map_start = std::min(map_start, round_down(s.vaddr));
      const std::uint64_t base = r.addr - map_start;
      for (const auto& s : r.elf->segments) {
        std::uint64_t flags = r.flags;
        if (s.flags & 4) flags |= kR;
        if (s.flags & 2) flags |= kW;
        if (s.flags & 1) flags |= kX;
        measure_segment(m, libpal, s, base + s.vaddr, flags);
      }
      continue;
    }
    for (std::uint64_t addr = r.addr; addr < r.addr + r.size; addr += kPage) {
      const char* data = zero.data();
      if (!r.content.empty()) {
        const std::uint64_t start = addr - r.addr;
        page.assign(r.content, std::min<std::uint64_t>(start, r.content.size()), kPage);
        page.resize(kPage, '\0');
        data = page.data();
      }
      m.page(addr, r.flags, data, r.measure);
    }
  }
  out.mr_enclave = m.finish();
  return out;
}

sgx::Sigstruct unsigned_sigstruct(const std::array<std::uint8_t, 32>& mr_enclave, const EnclaveAttributes& a,
                                  const std::string& date) {
  unsigned year = 0, month = 0, day = 0;
  auto digits = [&](std::size_t at, std::size_t n) {
    unsigned bcd = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const char c = date[at + i];
      if (c < '0' || c > '9')
        throw Error(ErrorCategory::input, "The signing date `" + date + "` is not YYYY-MM-DD.");
      bcd = (bcd << 4) | static_cast<unsigned>(c - '0');
    }
    return bcd;
  };
  if (date.size() != 10 || date[4] != '-' || date[7] != '-')
    throw Error(ErrorCategory::input, "The signing date `" + date + "` is not YYYY-MM-DD.");
  year = digits(0, 4);
  month = digits(5, 2);
  day = digits(8, 2);

  sgx::Sigstruct s{};
  std::memcpy(s.header, sgx::kHeader.data(), sizeof s.header);
  std::memcpy(s.header2, sgx::kHeader2.data(), sizeof s.header2);
  s.date_year = static_cast<std::uint16_t>(year);
  s.date_month = static_cast<std::uint8_t>(month);
  s.date_day = static_cast<std::uint8_t>(day);
  s.misc_select = a.misc_select;
  s.misc_mask = 0xffffffff;
  s.flags = a.flags;
  s.xfrm = a.xfrm;
  const std::uint64_t flags_mask = ~0ULL;
  std::memcpy(s.attribute_mask, &flags_mask, 8);
  std::memcpy(s.attribute_mask + 8, &a.xfrm_mask, 8);
  std::memcpy(s.enclave_hash, mr_enclave.data(), 32);
  s.isv_prod_id = a.isv_prod_id;
  s.isv_svn = a.isv_svn;
  return s;
}

}  // namespace gsc::gramine
