// Several BuildObservers told in turn, in the order they were added (mmbuild
// tells the mails and hook, then the forge's commit status).
#ifndef MIXMASTER_BUILD_OBSERVERS_H_
#define MIXMASTER_BUILD_OBSERVERS_H_

#include <vector>

#include "build/build_runner.h"

namespace mm {

class BuildObservers : public BuildObserver {
 public:
  // `observer` must outlive this list.
  void Add(BuildObserver* observer) { observers_.push_back(observer); }

  void OnEvent(const BuildReport& report, BuildLog* log) override;

 private:
  std::vector<BuildObserver*> observers_;
};

}  // namespace mm

#endif  // MIXMASTER_BUILD_OBSERVERS_H_
