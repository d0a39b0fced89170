#include "report/build_observers.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mm {
namespace {

// Writes which moment it was told into a shared record.
class Recorder : public BuildObserver {
 public:
  Recorder(std::string name, std::vector<std::string>* record)
      : name_(std::move(name)), record_(record) {}
  void OnEvent(const BuildReport& report, BuildLog*) override {
    const char* what = report.event == BuildEvent::kStart ? " start"
                       : report.event == BuildEvent::kEnd ? " end"
                                                          : " fail";
    record_->push_back(name_ + what);
  }

 private:
  std::string name_;
  std::vector<std::string>* record_;
};

TEST(BuildObserversTest, TellsEachObserverInTheOrderAdded) {
  std::vector<std::string> record;
  Recorder mail("mail", &record), status("status", &record);
  BuildObservers observers;
  observers.Add(&mail);
  observers.Add(&status);
  Job job;
  JobSettings settings;
  std::vector<std::string> env;
  BuildLog log;
  for (BuildEvent event :
       {BuildEvent::kStart, BuildEvent::kFail, BuildEvent::kEnd}) {
    BuildReport report{
        event, job, settings, "1", "", "", env, BuildStatus::kFailure, 3};
    observers.OnEvent(report, &log);
  }
  EXPECT_EQ(record, (std::vector<std::string>{"mail start", "status start",
                                              "mail fail", "status fail",
                                              "mail end", "status end"}));
}

TEST(BuildObserversTest, EventNamesAreTheHooks) {
  EXPECT_STREQ(BuildEventName(BuildEvent::kStart), "job-start");
  EXPECT_STREQ(BuildEventName(BuildEvent::kEnd), "job-end");
  EXPECT_STREQ(BuildEventName(BuildEvent::kFail), "job-fail");
  EXPECT_STREQ(BuildEventName(BuildEvent::kSuperseded), "job-superseded");
}

}  // namespace
}  // namespace mm
