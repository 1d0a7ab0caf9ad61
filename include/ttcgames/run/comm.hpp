// The processes of one ttcgames job (docs/cluster.md): MPI ranks when the program was built with MPI
// (TTCG_USE_MPI) and launched by mpirun/srun, otherwise a single process. Work is split across ranks by logical
// work unit (never by rank-dependent randomness), so results do not depend on the number of ranks; this class only
// moves bytes. Collective calls must be made by every rank in the same order.
#pragma once

#include <string>
#include <vector>

#include "ttcgames/core/archive.hpp"

namespace ttcg {

class Communicator {
 public:
  //! The job's communicator: MPI_COMM_WORLD inside an MpiSession, else a single process.
  static const Communicator& world();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  //! Rank among the ranks of this node (selects the GPU of a rank); 0 without MPI.
  int local_rank() const { return local_rank_; }

  //! Rank 0 receives every rank's buffer, in rank order; other ranks receive an empty vector.
  std::vector<Bytes> gather(const Bytes& mine) const;
  //! Every rank receives rank 0's buffer.
  Bytes broadcast(const Bytes& from_root) const;
  //! Every rank receives rank 0's flag.
  bool broadcast(bool from_root) const;
  //! Waits for every rank.
  void barrier() const;
  //! Prints "ttcgames: rank R of N: message" on stderr and ends the whole job with `code` (MPI_Abort with MPI),
  //! so that a failing rank never leaves the others waiting in a collective.
  [[noreturn]] void abort(const std::string& message, int code) const;

 private:
  friend class MpiSession;
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
};

//! Initializes MPI for the lifetime of the object when the program was built with MPI and was started by an MPI
//! launcher (mpirun, mpiexec, srun: their environment variables say so) or `force` is set; otherwise the job is
//! a single process. Only one session may exist; its destructor finalizes MPI.
class MpiSession {
 public:
  explicit MpiSession(int* argc, char*** argv, bool force = false);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  bool active() const { return active_; }

 private:
  bool active_ = false;
};

//! Whether this build contains MPI support.
bool mpi_built();
//! Whether the environment shows an MPI launcher (OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK, MPI_LOCALNRANKS).
bool launched_by_mpi();
//! The number of processes the launcher started (1 when none shows).
int launcher_world_size();

}  // namespace ttcg
