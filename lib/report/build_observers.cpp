#include "report/build_observers.h"

namespace mm {

const char* BuildEventName(BuildEvent event) {
  switch (event) {
    case BuildEvent::kStart:
      return "job-start";
    case BuildEvent::kEnd:
      return "job-end";
    case BuildEvent::kFail:
      return "job-fail";
    case BuildEvent::kSuperseded:
      break;
  }
  return "job-superseded";
}

void BuildObservers::OnEvent(const BuildReport& report, BuildLog* log) {
  for (BuildObserver* o : observers_) o->OnEvent(report, log);
}

}  // namespace mm
