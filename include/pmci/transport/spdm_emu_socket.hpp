// SPDX-License-Identifier: Apache-2.0
// HOST ONLY (POSIX sockets). Client and server sides of DMTF spdm-emu's "platform port"
// protocol (shared/interop/README.md), so that pmci programs can stand in for
// spdm_requester_emu / spdm_responder_emu and talk to the real ones.
//
//   client (requester)                          server (responder)
//   ──────────────────                          ──────────────────
//   connect ─────────────────────────────────►  accept
//   TEST "Client Hello!\0" ─────────────────►   TEST "Server Hello!\0"
//   NORMAL request ─────────────────────────►   handler(request) → NORMAL response
//   ...                                          (OOB_ENCAP_*: echoed with an empty payload,
//                                                 unknown commands: UNKNOWN)
//   CONTINUE ───────────────────────────────►   CONTINUE echo, close, accept the next client
//   SHUTDOWN ───────────────────────────────►   SHUTDOWN echo, close, serve() returns
//
// Frames are coded by spdm_emu_frame.hpp; this file only moves bytes. No heap: payloads are
// received straight into the caller's buffer and sent with one gathered sendmsg(). Every call
// that waits takes the options' timeout (poll), so nothing here can hang forever unless asked
// to (timeout_ms < 0).
//
// Errors (besides those of the frame codec):
//   errc::timeout         nothing (or not all of a frame) arrived within the timeout
//   errc::session_ended   the peer closed the connection between frames, or the socket failed
//                         (reset, broken pipe); last_os_error() has the errno
//   errc::truncated       the peer closed the connection in the middle of a frame
//   errc::invalid_field   the peer used another transport type than ours
//   errc::out_of_range    payload_size above the configured max_payload
//   errc::buffer_too_small  the caller's buffer cannot hold a message (the frame is drained, the
//                         connection stays usable)
//   errc::unexpected_message  the peer answered with another command than expected
//   errc::unsupported     the peer answered UNKNOWN
//   errc::invalid_state   the connection is closed (after an error that lost frame sync, or
//                         after SHUTDOWN / CONTINUE)
//   errc::no_resources    socket()/bind()/listen() failed (last_os_error() says why)
//   errc::invalid_field   (also) an address that is not a dotted IPv4 address
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/transport/concepts.hpp"
#include "pmci/transport/spdm_emu_frame.hpp"

namespace pmci::transport::spdm_emu {

struct socket_options {
  std::string address = "127.0.0.1";  ///< server: bind address; client: peer (dotted IPv4)
  std::uint16_t port = default_port;   ///< server: 0 picks an ephemeral port (see server::port())
  transport_type transport = transport_type::mctp;
  std::size_t max_payload = reference_max_payload;  ///< largest payload_size accepted
  int timeout_ms = 30'000;          ///< wait for one whole frame at most this long; < 0: forever
  int connect_timeout_ms = 0;       ///< client: retry a refused connect for this long
  bool handshake = true;            ///< client: send TEST right after connecting
};

/// One received frame. For NORMAL frames `message` is the MCTP message (type byte + body)
/// unwrapped from the transport's payload; for every other command it is the raw payload.
struct received {
  command cmd = command::normal;
  bytes_span message;
};

namespace detail {

inline result<in_addr> parse_ipv4(const std::string& s) {
  in_addr a{};
  if (::inet_pton(AF_INET, s.c_str(), &a) != 1) return errc::invalid_field;
  return a;
}

/// Milliseconds left until `deadline` (or -1 for "no deadline").
using clock = std::chrono::steady_clock;
inline int remaining_ms(std::optional<clock::time_point> deadline) {
  if (!deadline) return -1;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}
inline std::optional<clock::time_point> deadline_after(int timeout_ms) {
  if (timeout_ms < 0) return std::nullopt;
  return clock::now() + std::chrono::milliseconds(timeout_ms);
}

/// Wait until fd is readable; errc::timeout when the deadline passes first.
inline result<void> wait_readable(int fd, std::optional<clock::time_point> deadline, int& os_error) {
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return pmci::ok();  // readable, or hung up / error: recv() tells which
    if (n == 0) return errc::timeout;
    if (errno == EINTR) continue;
    os_error = errno;
    return errc::session_ended;
  }
}

}  // namespace detail

/// A connected platform-port socket (either side). Move-only; closes on destruction.
class channel {
 public:
  channel() = default;
  channel(int fd, const socket_options& o) noexcept
      : fd_(fd), transport_(o.transport), max_payload_(o.max_payload), timeout_ms_(o.timeout_ms) {}
  channel(channel&& o) noexcept { *this = std::move(o); }
  channel& operator=(channel&& o) noexcept {
    if (this != &o) {
      close();
      fd_ = std::exchange(o.fd_, -1);
      transport_ = o.transport_;
      max_payload_ = o.max_payload_;
      timeout_ms_ = o.timeout_ms_;
      os_error_ = o.os_error_;
    }
    return *this;
  }
  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;
  ~channel() { close(); }

  [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }
  [[nodiscard]] int native_handle() const noexcept { return fd_; }
  [[nodiscard]] transport_type transport() const noexcept { return transport_; }
  [[nodiscard]] std::size_t max_payload() const noexcept { return max_payload_; }
  /// errno of the last failed system call (0 if none).
  [[nodiscard]] int last_os_error() const noexcept { return os_error_; }
  void set_timeout(int ms) noexcept { timeout_ms_ = ms; }
  [[nodiscard]] int timeout() const noexcept { return timeout_ms_; }

  void close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  /// Send one frame whose payload is `raw_payload` as-is (TEST, OOB, CONTINUE, ...).
  result<void> send_raw(command cmd, bytes_view raw_payload) {
    if (raw_payload.size() > 0xFFFFFFFFu) return errc::out_of_range;
    wrapped_payload p;
    p.body = raw_payload;
    return send_planned(cmd, p);
  }

  /// Send one frame carrying MCTP message `message` wrapped for our transport type
  /// (errors of plan_wrap, plus the socket errors).
  result<void> send_message(command cmd, bytes_view message) {
    PMCI_TRY_ASSIGN(wrapped_payload p, plan_wrap(transport_, message));
    return send_planned(cmd, p);
  }

  /// Receive one frame into `buffer` (NORMAL payloads unwrapped into an MCTP message). Frame
  /// errors that lose sync with the peer close the channel; buffer_too_small drains the payload
  /// and keeps it open.
  result<received> receive(bytes_span buffer) {
    if (fd_ < 0) return errc::invalid_state;
    const auto deadline = detail::deadline_after(timeout_ms_);
    std::array<std::byte, frame_header::size> raw{};
    if (auto r = recv_exact(raw, deadline, true); !r) return fail(r.error());
    const frame_header h = *frame_header::decode(raw);
    if (auto c = h.check(transport_, max_payload_); !c) return fail(c.error());

    const bool normal = h.cmd == command::normal;
    // NONE payloads are received one byte in, leaving room for the 05 type byte unwrap() adds.
    const std::size_t offset = normal && transport_ == transport_type::none ? 1 : 0;
    if (buffer.size() < offset || buffer.size() - offset < h.payload_size) {
      if (auto d = drain(h.payload_size, deadline); !d) return fail(d.error());
      return errc::buffer_too_small;
    }
    const bytes_span payload = buffer.subspan(offset, h.payload_size);
    if (auto r = recv_exact(payload, deadline, false); !r) return fail(r.error());
    if (!normal) return received{h.cmd, payload};
    // A payload that does not unwrap is the peer's error; the frame itself was consumed, so the
    // stream stays in sync.
    PMCI_TRY_ASSIGN(bytes_span message, unwrap(transport_, as_view(payload), buffer));
    return received{h.cmd, message};
  }

 private:
  result<void> send_planned(command cmd, const wrapped_payload& p) {
    if (fd_ < 0) return errc::invalid_state;
    if (p.size() > 0xFFFFFFFFu) return errc::out_of_range;
    std::array<std::byte, frame_header::size> head{};
    writer w{head};
    frame_header{cmd, transport_, static_cast<std::uint32_t>(p.size())}.encode(w);
    static constexpr std::array<std::byte, 4> zeros{};
    iovec iov[4] = {
        {const_cast<std::byte*>(head.data()), head.size()},
        {const_cast<std::byte*>(p.prefix_storage.data()), p.prefix_size},
        {const_cast<std::byte*>(p.body.data()), p.body.size()},
        {const_cast<std::byte*>(zeros.data()), p.padding},
    };
    return send_all(iov, 4);
  }

  result<void> send_all(iovec* iov, int count) {
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<decltype(msg.msg_iovlen)>(count);
    for (;;) {
      while (msg.msg_iovlen > 0 && msg.msg_iov[0].iov_len == 0) {
        ++msg.msg_iov;
        --msg.msg_iovlen;
      }
      if (msg.msg_iovlen == 0) return pmci::ok();
      const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        os_error_ = errno;
        close();
        return errc::session_ended;
      }
      auto left = static_cast<std::size_t>(n);
      while (left > 0) {
        const std::size_t step = left < msg.msg_iov[0].iov_len ? left : msg.msg_iov[0].iov_len;
        msg.msg_iov[0].iov_base = static_cast<char*>(msg.msg_iov[0].iov_base) + step;
        msg.msg_iov[0].iov_len -= step;
        left -= step;
        if (msg.msg_iov[0].iov_len == 0 && left > 0) {
          ++msg.msg_iov;
          --msg.msg_iovlen;
        }
      }
    }
  }

  /// Read exactly out.size() bytes. A close before the first byte of a frame is session_ended,
  /// after it truncated.
  result<void> recv_exact(bytes_span out, std::optional<detail::clock::time_point> deadline, bool frame_start) {
    std::size_t got = 0;
    while (got < out.size()) {
      PMCI_TRY(detail::wait_readable(fd_, deadline, os_error_));
      const ssize_t n = ::recv(fd_, out.data() + got, out.size() - got, 0);
      if (n > 0) {
        got += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (n < 0) {
        os_error_ = errno;
        return errc::session_ended;
      }
      return frame_start && got == 0 ? errc::session_ended : errc::truncated;
    }
    return pmci::ok();
  }

  result<void> drain(std::size_t n, std::optional<detail::clock::time_point> deadline) {
    std::array<std::byte, 512> scratch{};
    while (n > 0) {
      const std::size_t step = n < scratch.size() ? n : scratch.size();
      PMCI_TRY(recv_exact(bytes_span{scratch}.first(step), deadline, false));
      n -= step;
    }
    return pmci::ok();
  }

  /// An error that leaves the byte stream out of sync: close, then report.
  errc fail(errc e) noexcept {
    close();
    return e;
  }

  int fd_ = -1;
  transport_type transport_ = transport_type::mctp;
  std::size_t max_payload_ = reference_max_payload;
  int timeout_ms_ = 30'000;
  int os_error_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Client (requester side). Models pmci::transport::transport.

class client {
 public:
  client() = default;

  /// Connect to options.address:options.port (retrying a refused connection for
  /// connect_timeout_ms) and, when options.handshake, do the TEST hello. Errors:
  /// invalid_field (bad address), no_resources (socket()), session_ended (connect failed),
  /// plus those of hello().
  static result<client> connect(const socket_options& options) {
    PMCI_TRY_ASSIGN(in_addr addr, detail::parse_ipv4(options.address));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(options.port);
    sa.sin_addr = addr;
    const auto deadline = detail::clock::now() + std::chrono::milliseconds(options.connect_timeout_ms > 0 ? options.connect_timeout_ms : 0);
    client c;
    for (;;) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        c.os_error_ = errno;
        return errc::no_resources;
      }
      if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) {
        const int one = 1;
        (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c.channel_ = channel{fd, options};
        break;
      }
      const int e = errno;
      ::close(fd);
      if ((e != ECONNREFUSED && e != EINTR) || detail::clock::now() >= deadline) {
        c.os_error_ = e;
        return errc::session_ended;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (options.handshake) PMCI_TRY(c.hello());
    return c;
  }

  /// TEST handshake: send "Client Hello!\0", expect a TEST answer (contents are not checked, as
  /// with the reference). unexpected_message for another command.
  result<void> hello() {
    PMCI_TRY(channel_.send_raw(command::test, client_hello));
    std::array<std::byte, 64> buf{};
    PMCI_TRY_ASSIGN(received r, channel_.receive(buf));
    if (r.cmd != command::test) return errc::unexpected_message;
    return pmci::ok();
  }

  /// One request/response round trip: NORMAL out, NORMAL back (the Transport concept).
  /// unsupported when the server answers UNKNOWN; unexpected_message for any other command.
  result<bytes_span> exchange(bytes_view request, bytes_span response_buffer) {
    PMCI_TRY(channel_.send_message(command::normal, request));
    PMCI_TRY_ASSIGN(received r, channel_.receive(response_buffer));
    if (r.cmd == command::unknown) return errc::unsupported;
    if (r.cmd != command::normal) return errc::unexpected_message;
    return r.message;
  }

  /// Send an out-of-band command (OOB_ENCAP_KEY_UPDATE / OOB_ENCAP_ENDPOINT_INFO, or any other
  /// raw command) with an empty payload and expect the same command back. unsupported when
  /// the server answers UNKNOWN.
  result<void> oob(command c) {
    PMCI_TRY(channel_.send_raw(c, {}));
    std::array<std::byte, 64> buf{};
    PMCI_TRY_ASSIGN(received r, channel_.receive(buf));
    if (r.cmd == command::unknown && c != command::unknown) return errc::unsupported;
    if (r.cmd != c) return errc::unexpected_message;
    return pmci::ok();
  }

  /// End the connection: SHUTDOWN (the responder exits) or CONTINUE (it accepts the next
  /// client). Waits for the echo, then closes. invalid_field for another command.
  result<void> stop(command how = command::shutdown) {
    if (how != command::shutdown && how != command::continue_) return errc::invalid_field;
    auto r = oob(how);
    channel_.close();
    return r;
  }
  result<void> shutdown() { return stop(command::shutdown); }

  [[nodiscard]] bool connected() const noexcept { return channel_.is_open(); }
  [[nodiscard]] int last_os_error() const noexcept { return os_error_ ? os_error_ : channel_.last_os_error(); }
  /// The underlying channel, for raw frames (tests, tools).
  [[nodiscard]] channel& raw() noexcept { return channel_; }

 private:
  channel channel_;
  int os_error_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Server (responder side).

/// One accepted client. Models pmci::transport::listener: receive() returns the next NORMAL
/// request and answers everything else itself, the way spdm_responder_emu does.
class connection {
 public:
  connection() = default;
  explicit connection(channel c) noexcept : channel_(std::move(c)) {}

  /// Next frame, whatever its command, with no automatic answer (the building block of
  /// receive() and server::serve()).
  result<received> next(bytes_span buffer) { return channel_.receive(buffer); }

  /// The standard answer to a non-NORMAL frame: TEST → "Server Hello!\0"; OOB_* → same command,
  /// empty payload; CONTINUE / SHUTDOWN → echo with an empty payload and close; anything else →
  /// UNKNOWN. Returns errc::session_ended after CONTINUE / SHUTDOWN (see ended_by()).
  result<void> answer(command c) {
    switch (c) {
      case command::test:
        return channel_.send_raw(command::test, server_hello);
      case command::oob_encap_key_update:
      case command::oob_encap_endpoint_info:
        ++oob_count_;
        return channel_.send_raw(c, {});
      case command::continue_:
      case command::shutdown: {
        ended_by_ = c;
        auto r = channel_.send_raw(c, {});
        channel_.close();
        if (!r) return r;
        return errc::session_ended;
      }
      default:
        return channel_.send_raw(command::unknown, {});
    }
  }

  /// Next NORMAL request (an MCTP message in buffer). Non-NORMAL frames are answered with
  /// answer(); CONTINUE / SHUTDOWN end the connection with errc::session_ended.
  result<bytes_span> receive(bytes_span buffer) {
    for (;;) {
      PMCI_TRY_ASSIGN(received r, channel_.receive(buffer));
      if (r.cmd == command::normal) return r.message;
      PMCI_TRY(answer(r.cmd));
    }
  }

  /// Send a NORMAL response.
  result<void> send(bytes_view message) { return channel_.send_message(command::normal, message); }

  /// CONTINUE or SHUTDOWN once the client has ended the connection that way.
  [[nodiscard]] std::optional<command> ended_by() const noexcept { return ended_by_; }
  [[nodiscard]] std::size_t oob_requests() const noexcept { return oob_count_; }
  [[nodiscard]] bool is_open() const noexcept { return channel_.is_open(); }
  [[nodiscard]] channel& raw() noexcept { return channel_; }

 private:
  channel channel_;
  std::optional<command> ended_by_;
  std::size_t oob_count_ = 0;
};

/// What serve() did.
struct serve_report {
  enum class stop_reason : std::uint8_t { shutdown, accept_timeout, accept_failed, connection_limit };
  stop_reason reason = stop_reason::shutdown;
  std::size_t connections = 0;  ///< clients accepted
  std::size_t requests = 0;     ///< NORMAL requests handled
  std::size_t errors = 0;       ///< connections dropped on an error (bad frames, handler errors, ...)
  std::optional<errc> last_error;
};

struct serve_limits {
  int accept_timeout_ms = -1;        ///< give up waiting for the next client after this; < 0: never
  std::size_t max_connections = 0;   ///< stop after this many clients; 0: no limit
};

class server {
 public:
  server() = default;
  server(server&& o) noexcept { *this = std::move(o); }
  server& operator=(server&& o) noexcept {
    if (this != &o) {
      close();
      fd_ = std::exchange(o.fd_, -1);
      options_ = std::move(o.options_);
      port_ = o.port_;
      os_error_ = o.os_error_;
    }
    return *this;
  }
  server(const server&) = delete;
  server& operator=(const server&) = delete;
  ~server() { close(); }

  /// Bind to options.address:options.port (0: ephemeral, read it back with port()) and listen.
  /// invalid_field for a bad address, no_resources when socket/bind/listen fail.
  static result<server> listen(const socket_options& options) {
    PMCI_TRY_ASSIGN(in_addr addr, detail::parse_ipv4(options.address));
    server s;
    s.options_ = options;
    s.fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s.fd_ < 0) return s.os_fail();
    const int one = 1;
    (void)::setsockopt(s.fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(options.port);
    sa.sin_addr = addr;
    if (::bind(s.fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) return s.os_fail();
    if (::listen(s.fd_, 4) != 0) return s.os_fail();
    socklen_t len = sizeof sa;
    if (::getsockname(s.fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return s.os_fail();
    s.port_ = ntohs(sa.sin_port);
    return s;
  }

  /// The bound port (the ephemeral one when options.port was 0).
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] const socket_options& options() const noexcept { return options_; }
  [[nodiscard]] int last_os_error() const noexcept { return os_error_; }
  [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }
  void close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  /// Wait for the next client (timeout_ms < 0: forever). timeout, or session_ended when
  /// accept() fails (last_os_error()).
  result<connection> accept(int timeout_ms = -1) {
    if (fd_ < 0) return errc::invalid_state;
    PMCI_TRY(detail::wait_readable(fd_, detail::deadline_after(timeout_ms), os_error_));
    for (;;) {
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) {
        const int one = 1;
        (void)::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return connection{channel{c, options_}};
      }
      if (errno == EINTR) continue;
      os_error_ = errno;
      return errc::session_ended;
    }
  }

  /// The responder loop of spdm_responder_emu: accept → (TEST) → for each NORMAL request call the
  /// handler and send its response → on CONTINUE accept the next client (the handler keeps its
  /// state) → on SHUTDOWN return. `rx` receives requests, `tx` is the handler's response buffer.
  ///
  /// A connection that fails (bad frame, transport mismatch, oversized payload, peer gone,
  /// timeout, handler error) is closed and counted in report.errors; the loop then accepts the
  /// next client, so a misbehaving peer cannot take the responder down. A handler error sends no
  /// response (there is none to send) and drops the client, which then sees session_ended rather
  /// than waiting forever.
  ///
  /// Optional handler hooks: `h.on_oob(command)` for OOB_ENCAP_* requests (before they are
  /// echoed), `h.on_error(errc)` for each dropped connection.
  template <handler H>
  serve_report serve(H& h, bytes_span rx, bytes_span tx, serve_limits limits = {}) {
    serve_report report;
    for (;;) {
      if (limits.max_connections != 0 && report.connections >= limits.max_connections) {
        report.reason = serve_report::stop_reason::connection_limit;
        return report;
      }
      auto accepted = accept(limits.accept_timeout_ms);
      if (!accepted) {
        report.reason = accepted.error() == errc::timeout ? serve_report::stop_reason::accept_timeout
                                                          : serve_report::stop_reason::accept_failed;
        return report;
      }
      ++report.connections;
      connection conn = std::move(*accepted);
      const result<void> end = serve_connection(conn, h, rx, tx, report);
      if (conn.ended_by() == command::shutdown) {
        report.reason = serve_report::stop_reason::shutdown;
        return report;
      }
      if (!end && end.error() != errc::session_ended) {
        ++report.errors;
        report.last_error = end.error();
        if constexpr (requires { h.on_error(end.error()); }) h.on_error(end.error());
      } else if (!end && !conn.ended_by()) {
        // The client vanished without CONTINUE / SHUTDOWN: not fatal, but worth reporting.
        ++report.errors;
        report.last_error = errc::session_ended;
        if constexpr (requires { h.on_error(errc::session_ended); }) h.on_error(errc::session_ended);
      }
    }
  }

 private:
  template <handler H>
  static result<void> serve_connection(connection& conn, H& h, bytes_span rx, bytes_span tx, serve_report& report) {
    for (;;) {
      PMCI_TRY_ASSIGN(received r, conn.next(rx));
      if (r.cmd != command::normal) {
        if constexpr (requires { h.on_oob(r.cmd); })
          if (is_oob(r.cmd)) h.on_oob(r.cmd);
        PMCI_TRY(conn.answer(r.cmd));
        continue;
      }
      PMCI_TRY_ASSIGN(bytes_span response, invoke_handler(h, as_view(r.message), tx));
      ++report.requests;
      PMCI_TRY(conn.send(as_view(response)));
    }
  }

  errc os_fail() noexcept {
    os_error_ = errno;
    close();
    return errc::no_resources;
  }

  int fd_ = -1;
  socket_options options_;
  std::uint16_t port_ = 0;
  int os_error_ = 0;
};

}  // namespace pmci::transport::spdm_emu
