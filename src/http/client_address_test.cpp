#include "http/client_address.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace onboardd::http {
namespace {

namespace ip = boost::asio::ip;

const ip::address kPeer = ip::make_address("10.0.0.9");

std::string Client(std::vector<std::string> forwarded_for, int hops,
                   const ip::address& peer = kPeer) {
  boost::beast::http::fields headers;
  for (auto& value : forwarded_for) headers.insert("X-Forwarded-For", value);
  return ClientAddress(peer, headers, hops).to_string();
}

TEST(ClientAddress, WithoutTrustedProxiesTheHeaderIsIgnored) {
  EXPECT_EQ(Client({"203.0.113.7"}, 0), "10.0.0.9");
  EXPECT_EQ(Client({}, 0), "10.0.0.9");
}

TEST(ClientAddress, OneTrustedProxyMeansTheRightMostEntry) {
  EXPECT_EQ(Client({"203.0.113.7"}, 1), "203.0.113.7");
  // Whatever the client wrote itself stands to the left of what our proxy appended.
  EXPECT_EQ(Client({"1.1.1.1, 2.2.2.2, 203.0.113.7"}, 1), "203.0.113.7");
  EXPECT_EQ(Client({" 1.1.1.1 ,\t203.0.113.7\t"}, 1), "203.0.113.7");
}

TEST(ClientAddress, NTrustedProxiesMeansTheNthFromTheRight) {
  EXPECT_EQ(Client({"1.1.1.1, 203.0.113.7, 10.0.0.2"}, 2), "203.0.113.7");
  EXPECT_EQ(Client({"203.0.113.7, 10.0.0.2"}, 2), "203.0.113.7");
}

TEST(ClientAddress, SeveralHeaderFieldsAreOneListInOrder) {
  EXPECT_EQ(Client({"1.1.1.1", "203.0.113.7"}, 1), "203.0.113.7");
  EXPECT_EQ(Client({"203.0.113.7", "10.0.0.2"}, 2), "203.0.113.7");
}

TEST(ClientAddress, EmptyElementsAreIgnored) {
  EXPECT_EQ(Client({"203.0.113.7,, ,"}, 1), "203.0.113.7");
  EXPECT_EQ(Client({",,,"}, 1), "10.0.0.9");
}

TEST(ClientAddress, TooFewEntriesOrGarbageAnswerThePeer) {
  EXPECT_EQ(Client({}, 1), "10.0.0.9");
  EXPECT_EQ(Client({"203.0.113.7"}, 2), "10.0.0.9");
  EXPECT_EQ(Client({"unknown"}, 1), "10.0.0.9");
  EXPECT_EQ(Client({"_hidden"}, 1), "10.0.0.9");
  EXPECT_EQ(Client({"203.0.113.7, not-an-address"}, 1), "10.0.0.9");
  EXPECT_EQ(Client({"203.0.113.256"}, 1), "10.0.0.9");
  EXPECT_EQ(Client({std::string(200, '1')}, 1), "10.0.0.9");
  // The bad entry is left of the one read: it does not matter.
  EXPECT_EQ(Client({"garbage, 203.0.113.7"}, 1), "203.0.113.7");
}

TEST(ClientAddress, PortsBracketsAndIpv6) {
  EXPECT_EQ(Client({"203.0.113.7:4711"}, 1), "203.0.113.7");
  EXPECT_EQ(Client({"2001:db8::1"}, 1), "2001:db8::1");
  EXPECT_EQ(Client({"[2001:db8::1]"}, 1), "2001:db8::1");
  EXPECT_EQ(Client({"[2001:db8::1]:443"}, 1), "2001:db8::1");
}

TEST(ClientAddress, MalformedPortsBracketsAndZonesAnswerThePeer) {
  for (std::string bad : {"203.0.113.7:", "203.0.113.7:http", "203.0.113.7:123456", "[2001:db8::1",
                          "[2001:db8::1]443", "[2001:db8::1]:", "[203.0.113.7]", "fe80::1%eth0",
                          "[fe80::1%25eth0]", "2001:db8::1]"}) {
    EXPECT_EQ(Client({bad}, 1), "10.0.0.9") << bad;
  }
}

TEST(ClientAddress, Ipv4MappedAddressesBecomeIpv4) {
  EXPECT_EQ(Client({}, 0, ip::make_address("::ffff:192.0.2.1")), "192.0.2.1");
  EXPECT_EQ(Client({"::ffff:203.0.113.7"}, 1), "203.0.113.7");
}

}  // namespace
}  // namespace onboardd::http
