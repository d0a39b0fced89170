#include "build_observers.h"

namespace mm {

void BuildObservers::OnStart(const BuildReport& report, BuildLog* log) {
  for (BuildObserver* o : observers_) o->OnStart(report, log);
}

void BuildObservers::OnEnd(const BuildReport& report, BuildLog* log) {
  for (BuildObserver* o : observers_) o->OnEnd(report, log);
}

void BuildObservers::OnFail(const BuildReport& report, BuildLog* log) {
  for (BuildObserver* o : observers_) o->OnFail(report, log);
}

}  // namespace mm
