// Pieces the stages' unit archives share (private to src/run): profiles, dynamics and certificates in a byte
// archive, and the checks of a decoded unit against the unit it must belong to.
#pragma once

#include <string>

#include "ttcgames/core/archive.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/market/equilibrium.hpp"

namespace ttcg::unit_codec {

void put_profile(ArchiveWriter& w, const Profile& p);
Profile get_profile(ArchiveReader& r);
void put_dynamics(ArchiveWriter& w, const DynamicsResult& d);
DynamicsResult get_dynamics(ArchiveReader& r);
void put_certificate(ArchiveWriter& w, const Certificate& c);
Certificate get_certificate(ArchiveReader& r);

//! Checks of a decoded unit result against what its unit must hold (InputError "what: ...").
class UnitCheck {
 public:
  UnitCheck(std::string what, int n, int K) : what_(std::move(what)), n_(n), K_(K) {}

  [[noreturn]] void fail(const std::string& message) const { throw InputError(what_ + ": " + message); }
  void size(std::size_t found, std::size_t expected, const char* name) const {
    if (found != expected)
      fail(std::string(name) + " has " + std::to_string(found) + " values, expected " + std::to_string(expected));
  }
  //! A profile of the unit's market: n levels in [0, K).
  void profile(const Profile& p, const char* name) const {
    size(p.size(), static_cast<std::size_t>(n_), name);
    for (const int k : p)
      if (k < 0 || k >= K_)
        fail(std::string(name) + " holds level " + std::to_string(k) + ", outside [0, " + std::to_string(K_) + ")");
  }
  void dynamics(const DynamicsResult& d) const {
    profile(d.profile, "the reached profile");
    for (const Profile& p : d.history) profile(p, "a history profile");
    size(d.potential.size(), d.history.size(), "the history's potential");
  }
  void certificate(const Certificate& c) const {
    if (c.worst_provider < -1 || c.worst_provider >= n_)
      fail("the certificate names provider " + std::to_string(c.worst_provider) + " of " + std::to_string(n_));
  }
  int n() const { return n_; }
  int K() const { return K_; }

 private:
  std::string what_;
  int n_, K_;
};

}  // namespace ttcg::unit_codec
