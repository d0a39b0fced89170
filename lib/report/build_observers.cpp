#include "report/build_observers.h"

namespace mm {

void BuildObservers::OnEvent(const BuildReport& report, BuildLog* log) {
  for (BuildObserver* o : observers_) o->OnEvent(report, log);
}

}  // namespace mm
