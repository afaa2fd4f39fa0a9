// SPDX-License-Identifier: Apache-2.0
// Stateful assembler fuzzer. The input is a script: four honest senders (distinct source EID /
// tag / TO keys) packetize messages with the real packetizer, and the script decides which
// packets reach the assembler, lost, duplicated, swapped, interleaved, with time passing and
// with hostile garbage packets (any bytes, but never with an honest key). A shadow model keeps,
// per honest key, every packet delivered to the assembler since its last SOM, and checks:
//
//  1. Integrity: every delivered message is exactly the concatenation of the delivered packets
//     from the key's last SOM to this EOM, with consecutive sequence numbers, SOM only first,
//     middle sizes equal to the first, EOM not larger, within MaxMessage. (The assembler never
//     invents bytes, mixes keys, skips or reorders packets, or overflows.)
//  2. Whole and in order: if those packets are also consecutive in the sender's emission
//     order, they are exactly one message's packets 0..n-1. The only way to get a delivery
//     that is not one whole message is 4k lost packets aliasing the 2-bit sequence number, which
//     MCTP cannot detect; the model allows it only when the sequence numbers genuinely line up.
//  3. Liveness: a message whose packets all arrived in order, whose SOM found a context, that
//     fits MaxMessage and did not time out, is delivered; a message over MaxMessage never is.
//
// ASan/UBSan catch any out-of-bounds access on the way.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "pmci/mctp/assembler.hpp"
#include "pmci/mctp/packetizer.hpp"

#define FUZZ_CHECK(c) \
  do {                \
    if (!(c)) __builtin_trap(); \
  } while (0)

namespace {
using namespace pmci;
using namespace pmci::mctp;

constexpr std::size_t max_message = 300;
constexpr std::uint32_t timeout = 50;
constexpr std::size_t max_mtu = 64;

struct sent_packet {
  std::size_t stream = 0;  // emission index within the sender
  std::size_t msg_id = 0;
  std::size_t index = 0;   // packet index within its message
  header h;
  std::vector<std::byte> bytes;  // the whole packet
};

struct sender {
  address addr;
  std::array<std::byte, 400> content{};
  std::size_t size = 0;
  std::size_t msg_id = 0;
  std::size_t msg_packets = 0;
  std::size_t next_index = 0;
  std::optional<packetizer> tx;
  std::size_t stream = 0;
  std::optional<sent_packet> last;  // last emitted, for duplicates
  // Shadow: packets delivered since the last SOM delivered for this key.
  std::vector<sent_packet> run;
  bool som_got_context = false;
  std::uint32_t som_time = 0;
};

class script {
 public:
  script(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
  bool more() const { return i_ < n_; }
  std::uint8_t byte() { return i_ < n_ ? d_[i_++] : 0; }

 private:
  const std::uint8_t* d_;
  std::size_t n_;
  std::size_t i_ = 0;
};

struct world {
  assembler<3, max_message> rx{assembler_config{timeout}};
  std::array<sender, 4> senders{};
  std::uint32_t now = 0;
  std::size_t next_msg_id = 1;

  world() {
    for (std::size_t k = 0; k < senders.size(); ++k)
      senders[k].addr = address{static_cast<eid>(8 + (k & 1)), static_cast<eid>(0x10 + k), (k & 2) != 0,
                                static_cast<std::uint8_t>(k * 3 % 8)};
  }

  std::optional<std::size_t> honest(const header& h) const {
    for (std::size_t k = 0; k < senders.size(); ++k) {
      const auto& a = senders[k].addr;
      if (a.source == h.source && a.dest == h.dest && a.tag == h.tag && a.tag_owner == h.tag_owner) return k;
    }
    return std::nullopt;
  }

  void start(sender& s, script& sc) {
    s.size = 1 + (std::size_t{sc.byte()} << 1 | (sc.byte() & 1)) % 399;  // 1..399, some > MaxMessage
    const std::size_t mtu = 1 + sc.byte() % max_mtu;
    // The first message starts at a scripted sequence number; later ones continue the
    // sender's counter (libmctp's transmitter does this), so seq = (seq0 + emission index)
    // mod 4 over the sender's whole life, which check 2 relies on.
    const auto seq = s.tx ? s.tx->next_seq() : static_cast<std::uint8_t>(sc.byte() & 3);
    s.msg_id = next_msg_id++;
    for (std::size_t i = 0; i < s.size; ++i)
      s.content[i] = std::byte{static_cast<std::uint8_t>(s.msg_id * 131 + i * 7 + (i >> 8))};
    s.tx.emplace(s.addr, bytes_view(s.content).first(s.size), mtu, seq);
    s.msg_packets = packetizer::packet_count(s.size, mtu);
    s.next_index = 0;
  }

  std::optional<sent_packet> emit(sender& s) {
    if (!s.tx || s.tx->done()) return std::nullopt;
    std::array<std::byte, 4 + max_mtu> buf{};
    auto r = s.tx->next(buf);
    FUZZ_CHECK(r.has_value());
    sent_packet p;
    p.stream = s.stream++;
    p.msg_id = s.msg_id;
    p.index = s.next_index++;
    p.h = *header::decode(*r);
    p.bytes.assign(r->begin(), r->end());
    s.last = p;
    return p;
  }

  void deliver(const sent_packet& p) {
    const auto k = honest(p.h);
    FUZZ_CHECK(k.has_value());
    sender& s = senders[*k];
    if (p.h.som) {
      s.run.clear();
      s.som_time = now;
    }
    s.run.push_back(p);
    auto m = rx.receive(bytes_view(p.bytes.data(), p.bytes.size()), now);
    if (p.h.som) s.som_got_context = rx.last_drop() != drop_reason::no_context && rx.last_drop() != drop_reason::too_large;
    check_delivery(s, p, m);
  }

  void check_delivery(const sender& s, const sent_packet& last, const std::optional<message>& m) {
    // Would a correct assembler deliver? Shadow run from the last SOM to this packet.
    const auto& run = s.run;
    bool valid = last.h.eom && !run.empty() && run.front().h.som;
    std::size_t total = 0;
    for (std::size_t i = 0; valid && i < run.size(); ++i) {
      const auto& p = run[i];
      const std::size_t n = p.bytes.size() - header::size;
      const std::size_t first = run.front().bytes.size() - header::size;
      total += n;
      if (i > 0 && (p.h.som || p.h.seq != ((run[i - 1].h.seq + 1) & 3))) valid = false;
      if (i > 0 && i + 1 < run.size() && n != first) valid = false;
      if (i > 0 && i + 1 == run.size() && n > first) valid = false;
      if (i + 1 < run.size() && p.h.eom) valid = false;
      if (n == 0) valid = false;
    }
    if (total > max_message) valid = false;

    if (m) {
      // 1. Integrity.
      FUZZ_CHECK(valid);
      FUZZ_CHECK(m->source == s.addr.source && m->dest == s.addr.dest && m->tag == s.addr.tag &&
                 m->tag_owner == s.addr.tag_owner);
      FUZZ_CHECK(m->data.size() == total && m->data.size() <= max_message && m->body.size() + 1 == total);
      std::size_t at = 0;
      for (const auto& p : run)
        for (std::size_t i = header::size; i < p.bytes.size(); ++i) FUZZ_CHECK(m->data[at++] == p.bytes[i]);
      FUZZ_CHECK(message_header::from_byte(std::to_integer<std::uint8_t>(m->data[0])) ==
                 (message_header{m->type, m->ic}));
      // 2. Whole and in order, unless the sequence number aliased over 4k lost packets.
      bool contiguous = true;
      for (std::size_t i = 1; i < run.size(); ++i) contiguous = contiguous && run[i].stream == run[i - 1].stream + 1;
      if (contiguous) {
        FUZZ_CHECK(run.front().index == 0);
        for (std::size_t i = 0; i < run.size(); ++i) FUZZ_CHECK(run[i].msg_id == run.front().msg_id && run[i].index == i);
      } else {
        for (std::size_t i = 1; i < run.size(); ++i) FUZZ_CHECK((run[i].stream - run[i - 1].stream) % 4 == 1);
      }
    }

    // 3. Liveness: one whole message, in order, nothing in between, a context, in time.
    bool whole = last.h.eom && !run.empty() && run.front().index == 0 && run.size() == last.index + 1;
    for (std::size_t i = 0; whole && i < run.size(); ++i)
      whole = run[i].msg_id == last.msg_id && run[i].index == i;
    if (whole) {
      const std::size_t size = [&] {
        std::size_t t = 0;
        for (const auto& p : run) t += p.bytes.size() - header::size;
        return t;
      }();
      if (size > max_message) FUZZ_CHECK(!m);
      else if (s.som_got_context && now - s.som_time < timeout) FUZZ_CHECK(m.has_value());
    }
  }

  void garbage(script& sc) {
    const std::size_t n = sc.byte() % 72;
    std::vector<std::byte> pkt(n);
    for (auto& b : pkt) b = std::byte{sc.byte()};
    if (n >= header::size) {
      if (auto h = header::decode(bytes_view(pkt.data(), n)); h && honest(*h)) pkt[2] = std::byte{0x70};  // hostile source
    }
    auto m = rx.receive(bytes_view(pkt.data(), pkt.size()), now);
    if (m) {
      FUZZ_CHECK(m->data.size() <= max_message && !m->data.empty());
      FUZZ_CHECK(!honest(header{1, m->dest, m->source, true, true, 0, m->tag_owner, m->tag}));
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  world w;
  script sc(data, size);
  while (sc.more()) {
    const std::uint8_t op = sc.byte();
    sender& s = w.senders[op & 3];
    switch ((op >> 2) & 7) {
      case 0:
        w.start(s, sc);
        break;
      case 1:
        if (auto p = w.emit(s)) w.deliver(*p);
        break;
      case 2:
        (void)w.emit(s);  // lost
        break;
      case 3:
        if (s.last) w.deliver(*s.last);  // duplicate
        break;
      case 4: {  // two packets swapped
        auto a = w.emit(s);
        auto b = w.emit(s);
        if (b) w.deliver(*b);
        if (a) w.deliver(*a);
        break;
      }
      case 5:
        w.garbage(sc);
        break;
      case 6:
        w.now += sc.byte() % 32;
        if (op & 0x80) w.rx.expire(w.now);
        break;
      default:  // the rest of the current message, in order
        while (auto p = w.emit(s)) w.deliver(*p);
        break;
    }
  }
  const auto& d = w.rx.drops();
  std::uint32_t sum = 0;
  for (std::size_t r = 1; r <= drop_reason_count; ++r) sum += d[static_cast<drop_reason>(r)];
  FUZZ_CHECK(sum == d.total());
  return 0;
}
