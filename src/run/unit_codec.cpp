#include "unit_codec.hpp"

namespace ttcg::unit_codec {

void put_profile(ArchiveWriter& w, const Profile& p) {
  w.put(std::vector<std::int32_t>(p.begin(), p.end()));
}
Profile get_profile(ArchiveReader& r) {
  const auto v = r.get_vector<std::int32_t>();
  return Profile(v.begin(), v.end());
}

void put_dynamics(ArchiveWriter& w, const DynamicsResult& d) {
  put_profile(w, d.profile);
  w.put<std::int32_t>(d.rounds);
  w.put<std::int64_t>(d.turns);
  w.put<std::int64_t>(d.moves);
  w.put<std::uint8_t>(d.converged);
  w.put<std::uint64_t>(d.history.size());
  for (const Profile& p : d.history) put_profile(w, p);
  w.put(d.potential);
}
DynamicsResult get_dynamics(ArchiveReader& r) {
  DynamicsResult d;
  d.profile = get_profile(r);
  d.rounds = r.get<std::int32_t>();
  d.turns = r.get<std::int64_t>();
  d.moves = r.get<std::int64_t>();
  d.converged = r.get<std::uint8_t>() != 0;
  const auto history = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < history; ++i) d.history.push_back(get_profile(r));
  d.potential = r.get_vector<double>();
  return d;
}

void put_certificate(ArchiveWriter& w, const Certificate& c) {
  w.put(c.max_regret);
  w.put(c.max_relative_regret);
  w.put<std::int32_t>(c.worst_provider);
}
Certificate get_certificate(ArchiveReader& r) {
  Certificate c;
  c.max_regret = r.get<double>();
  c.max_relative_regret = r.get<double>();
  c.worst_provider = r.get<std::int32_t>();
  return c;
}

}  // namespace ttcg::unit_codec
