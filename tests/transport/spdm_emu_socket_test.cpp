// SPDX-License-Identifier: Apache-2.0
// Client and server of the spdm-emu platform port on 127.0.0.1 with an ephemeral port, each in
// its own thread. Every wait is bounded (frame and accept timeouts), so a failing test ends by
// itself instead of hanging.
#include "pmci/transport/spdm_emu_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/catch.hpp"
#include "support/vectors.hpp"

using namespace pmci;
using namespace pmci::transport;
using namespace pmci::transport::spdm_emu;
using pmci::test::from_hex;

namespace {

constexpr int frame_timeout_ms = 3000;
constexpr int accept_timeout_ms = 5000;

socket_options local_options(transport_type t = transport_type::mctp) {
  socket_options o;
  o.port = 0;
  o.transport = t;
  o.timeout_ms = frame_timeout_ms;
  return o;
}

/// A responder stand-in: answers request code C with C & 0x7F, keeps its state across clients,
/// fails on demand (a request whose code byte is 0xEE).
struct echo_responder {
  std::atomic<int> calls{0};
  std::vector<command> oob;
  std::vector<errc> errors;
  result<bytes_span> handle(bytes_view request, bytes_span buffer) {
    ++calls;
    if (request.size() >= 3 && request[2] == std::byte{0xEE}) return errc::invalid_state;
    auto out = copy(request, buffer);
    if (out && out->size() >= 3)
      (*out)[2] = static_cast<std::byte>(std::to_integer<std::uint8_t>((*out)[2]) & 0x7F);
    return out;
  }
  void on_oob(command c) { oob.push_back(c); }
  void on_error(errc e) { errors.push_back(e); }
};

struct running_server {
  server srv;
  echo_responder responder;
  serve_report report;
  std::array<std::byte, 8192> rx{}, tx{};
  std::jthread thread;

  explicit running_server(socket_options o, serve_limits limits = {accept_timeout_ms, 0}) {
    auto s = server::listen(o);
    REQUIRE(s);
    srv = std::move(*s);
    thread = std::jthread([this, limits] { report = srv.serve(responder, rx, tx, limits); });
  }
  socket_options client_options() const {
    socket_options o = srv.options();
    o.port = srv.port();
    return o;
  }
  void join() {
    if (thread.joinable()) thread.join();
  }
};

/// A bare TCP connection for feeding the server bytes that are not frames.
int raw_connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}
void raw_send(int fd, const std::vector<std::byte>& bytes) {
  REQUIRE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
}
/// Read until the peer closes (or 2 s pass); returns what arrived.
std::vector<std::byte> raw_read_all(int fd) {
  std::vector<std::byte> out;
  std::array<std::byte, 256> buf{};
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) break;
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + n);
  }
  return out;
}

}  // namespace

static_assert(message_transport<client>);
static_assert(listener<connection>);

TEST_CASE("socket: TEST hello, NORMAL round trips, CONTINUE keeps state, SHUTDOWN ends", "[transport][socket]") {
  running_server s{local_options()};
  CHECK(s.srv.port() != 0);
  std::array<std::byte, 64> buf{};
  {
    auto c = client::connect(s.client_options());  // TEST handshake inside
    REQUIRE(c);
    for (int i = 0; i < 5; ++i) {
      auto rsp = c->exchange(from_hex("0510840000"), buf);
      REQUIRE(rsp);
      CHECK(equal(*rsp, from_hex("0510040000")));
    }
    // A secured record travels the same way over MCTP.
    auto rsp = c->exchange(from_hex("06ffffffff0000 1200 e5a1a2a3"), buf);
    REQUIRE(rsp);
    CHECK(rsp->size() == 13);
    REQUIRE(c->stop(command::continue_));
    CHECK_FALSE(c->connected());
  }
  {
    auto c = client::connect(s.client_options());
    REQUIRE(c);
    auto rsp = c->exchange(from_hex("0512e10000"), buf);
    REQUIRE(rsp);
    CHECK(equal(*rsp, from_hex("0512610000")));
    REQUIRE(c->shutdown());
  }
  s.join();
  CHECK(s.report.reason == serve_report::stop_reason::shutdown);
  CHECK(s.report.connections == 2);
  CHECK(s.report.requests == 7);
  CHECK(s.report.errors == 0);
  CHECK(s.responder.calls == 7);  // state survived the CONTINUE
}

TEST_CASE("socket: every transport type carries SPDM", "[transport][socket]") {
  for (auto t : {transport_type::none, transport_type::mctp, transport_type::pci_doe, transport_type::tcp}) {
    CAPTURE(name(t));
    running_server s{local_options(t)};
    auto c = client::connect(s.client_options());
    REQUIRE(c);
    std::array<std::byte, 64> buf{};
    auto rsp = c->exchange(from_hex("0512e3000102"), buf);
    REQUIRE(rsp);
    // PCI_DOE pads the 5-byte SPDM message to 8 bytes and the padding stays (see frame header).
    const auto expect = from_hex("051263000102");
    REQUIRE(rsp->size() >= expect.size());
    CHECK(equal(rsp->first(expect.size()), expect));
    CHECK(rsp->size() == (t == transport_type::pci_doe ? 9u : 6u));
    if (t != transport_type::none) {
      auto sec = c->exchange(from_hex("06 01020304 0500 aabbccdd"), buf);
      REQUIRE(sec);
      CHECK((*sec)[0] == std::byte{0x06});
    } else {
      CHECK(c->exchange(from_hex("06 01020304"), buf) == errc::unsupported);  // not sent
    }
    REQUIRE(c->shutdown());
    s.join();
    CHECK(s.report.errors == 0);
  }
}

TEST_CASE("socket: OOB commands are echoed, unknown commands get UNKNOWN", "[transport][socket]") {
  running_server s{local_options()};
  auto c = client::connect(s.client_options());
  REQUIRE(c);
  REQUIRE(c->oob(command::oob_encap_key_update));
  REQUIRE(c->oob(command::oob_encap_endpoint_info));
  // An unknown command: the server answers UNKNOWN and carries on.
  CHECK(c->oob(static_cast<command>(0x4242)) == errc::unsupported);
  std::array<std::byte, 64> buf{};
  auto rsp = c->exchange(from_hex("0510840000"), buf);
  REQUIRE(rsp);
  // Raw frames: the echo of an OOB command has an empty payload.
  REQUIRE(c->raw().send_raw(command::oob_encap_key_update, {}));
  auto echo = c->raw().receive(buf);
  REQUIRE(echo);
  CHECK(echo->cmd == command::oob_encap_key_update);
  CHECK(echo->message.empty());
  REQUIRE(c->shutdown());
  s.join();
  REQUIRE(s.responder.oob.size() == 3);
  CHECK(s.responder.oob[0] == command::oob_encap_key_update);
  CHECK(s.responder.oob[1] == command::oob_encap_endpoint_info);
  CHECK(s.report.errors == 0);
}

TEST_CASE("socket: connection-level listener API (receive/send) answers TEST itself", "[transport][socket]") {
  auto srv = server::listen(local_options());
  REQUIRE(srv);
  socket_options co = srv->options();
  co.port = srv->port();
  std::jthread peer([co] {
    auto c = client::connect(co);
    if (!c) return;
    std::array<std::byte, 64> buf{};
    (void)c->exchange(from_hex("0510840000"), buf);
    (void)c->stop(command::continue_);
  });
  auto conn = srv->accept(accept_timeout_ms);
  REQUIRE(conn);
  std::array<std::byte, 64> rx{}, tx{};
  echo_responder r;
  REQUIRE(serve_one(*conn, r, rx, tx));
  CHECK(conn->receive(rx) == errc::session_ended);
  CHECK(conn->ended_by() == command::continue_);
  CHECK_FALSE(conn->is_open());
}

TEST_CASE("socket: a server fed garbage survives and reports errors", "[transport][socket]") {
  running_server s{local_options()};
  const auto port = s.srv.port();
  std::vector<std::vector<std::byte>> garbage = {
      // another transport type (PCI_DOE) than the server's MCTP
      from_hex("00000001 00000002 00000005 0510840000"),
      // payload_size far above the 4736-byte limit
      from_hex("00000001 00000001 7fffffff 05"),
      // a frame cut short: header says 5 bytes, 2 arrive, then the peer closes
      from_hex("00000001 00000001 00000005 0510"),
      // half a header
      from_hex("000000"),
      // not a frame at all
      from_hex("474554202f20485454502f312e310d0a0d0a"),
      // a NORMAL frame with an empty MCTP payload (no type byte)
      from_hex("00000001 00000001 00000000"),
  };
  for (const auto& g : garbage) {
    const int fd = raw_connect(port);
    REQUIRE(fd >= 0);
    raw_send(fd, g);
    ::shutdown(fd, SHUT_WR);
    (void)raw_read_all(fd);  // the server closes on us
    ::close(fd);
  }
  // A client whose request makes the handler fail is dropped rather than left waiting.
  {
    auto c = client::connect(s.client_options());
    REQUIRE(c);
    std::array<std::byte, 64> buf{};
    CHECK(c->exchange(from_hex("0510ee0000"), buf) == errc::session_ended);
  }
  // A client that vanishes between frames.
  {
    auto c = client::connect(s.client_options());
    REQUIRE(c);
  }
  // The server still works.
  auto c = client::connect(s.client_options());
  REQUIRE(c);
  std::array<std::byte, 64> buf{};
  auto rsp = c->exchange(from_hex("0510840000"), buf);
  REQUIRE(rsp);
  CHECK(equal(*rsp, from_hex("0510040000")));
  REQUIRE(c->shutdown());
  s.join();
  CHECK(s.report.reason == serve_report::stop_reason::shutdown);
  CHECK(s.report.connections == garbage.size() + 3);
  CHECK(s.report.errors == garbage.size() + 2);
  REQUIRE(s.responder.errors.size() == garbage.size() + 2);
  CHECK(s.responder.errors[0] == errc::invalid_field);
  CHECK(s.responder.errors[1] == errc::out_of_range);
  CHECK(s.responder.errors[2] == errc::truncated);
  CHECK(s.responder.errors[3] == errc::truncated);
  CHECK(s.responder.errors[4] == errc::invalid_field);
  CHECK(s.responder.errors[5] == errc::truncated);
  CHECK(s.responder.errors[6] == errc::invalid_state);
  CHECK(s.responder.errors[7] == errc::session_ended);
}

TEST_CASE("socket: the payload limit is a parameter; big messages within it pass", "[transport][socket]") {
  socket_options o = local_options();
  o.max_payload = 64;
  running_server s{o, serve_limits{500, 0}};
  auto co = s.client_options();
  co.max_payload = 8192;
  auto c = client::connect(co);
  REQUIRE(c);
  std::vector<std::byte> req(64, std::byte{0x11});
  req[0] = std::byte{0x05};
  std::array<std::byte, 128> buf{};
  auto rsp = c->exchange(req, buf);
  REQUIRE(rsp);
  CHECK(rsp->size() == 64);
  req.push_back(std::byte{0});  // 65 > 64: the server drops the connection
  CHECK(c->exchange(req, buf) == errc::session_ended);
  s.join();  // accept timeout ends the loop
  CHECK(s.report.reason == serve_report::stop_reason::accept_timeout);
  CHECK(s.report.errors == 1);
  CHECK(s.report.last_error == errc::out_of_range);
}

TEST_CASE("socket: client-side errors are values", "[transport][socket]") {
  // A fake responder driven by hand.
  auto srv = server::listen(local_options());
  REQUIRE(srv);
  socket_options co = srv->options();
  co.port = srv->port();
  co.timeout_ms = 300;
  co.handshake = false;

  std::jthread fake([&] {
    for (int round = 0; round < 5; ++round) {
      auto conn = srv->accept(accept_timeout_ms);
      if (!conn) return;
      std::array<std::byte, 256> buf{};
      auto r = conn->next(buf);  // the client's request
      if (!r) return;
      const int fd = conn->raw().native_handle();
      std::vector<std::byte> reply;
      switch (round) {
        case 0: reply = from_hex("00000001 00000002 00000005 0510040000"); break;  // wrong transport
        case 1: reply = from_hex("00000001 00000001 00000009 05100400"); break;    // cut short
        case 2: reply = from_hex("0000ffff 00000001 00000000"); break;             // UNKNOWN
        case 3: reply = from_hex("0000fffe 00000001 00000000"); break;             // not NORMAL
        default:                                                                   // too big for the buffer
          reply = from_hex("00000001 00000001 00000040");
          reply.resize(12 + 64, std::byte{0x05});
          break;
      }
      (void)::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
      if (round == 4) {
        // then a proper answer to a second request on the same connection
        auto again = conn->next(buf);
        if (again) (void)conn->send(from_hex("0510040000"));
        (void)conn->next(buf);  // wait for the client to leave
      }
      // leaving the scope closes the connection: the client sees the end of the stream
    }
  });
  std::array<std::byte, 32> buf{};
  const auto req = from_hex("0510840000");
  auto expect = [&](errc e) {
    auto c = client::connect(co);
    REQUIRE(c);
    CHECK(c->exchange(req, buf) == e);
  };
  expect(errc::invalid_field);
  expect(errc::truncated);
  expect(errc::unsupported);
  expect(errc::unexpected_message);
  {
    auto c = client::connect(co);
    REQUIRE(c);
    CHECK(c->exchange(req, buf) == errc::buffer_too_small);  // drained, connection kept
    auto rsp = c->exchange(req, buf);
    REQUIRE(rsp);
    CHECK(equal(*rsp, from_hex("0510040000")));
  }
  fake.join();

  // Nobody answers: timeout.
  auto quiet = server::listen(local_options());
  REQUIRE(quiet);
  co.port = quiet->port();
  auto c = client::connect(co);  // the kernel completes the TCP handshake; nobody reads
  REQUIRE(c);
  CHECK(c->exchange(req, buf) == errc::timeout);
  CHECK_FALSE(c->connected());
  CHECK(c->exchange(req, buf) == errc::invalid_state);
}

TEST_CASE("socket: addresses and ports", "[transport][socket]") {
  socket_options o = local_options();
  o.address = "not an address";
  CHECK(server::listen(o) == errc::invalid_field);
  CHECK(client::connect(o) == errc::invalid_field);
  // A port nobody listens on: bind one, close it, connect.
  auto s = server::listen(local_options());
  REQUIRE(s);
  socket_options co = local_options();
  co.port = s->port();
  s->close();
  CHECK(client::connect(co) == errc::session_ended);
  // The same port cannot be bound twice while in use.
  auto a = server::listen(local_options());
  REQUIRE(a);
  socket_options same = local_options();
  same.port = a->port();
  CHECK(server::listen(same) == errc::no_resources);
  // accept() with nobody coming times out.
  CHECK(a->accept(50) == errc::timeout);
}
