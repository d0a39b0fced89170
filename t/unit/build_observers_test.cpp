#include "build_observers.h"

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
  void OnStart(const BuildReport&, BuildLog*) override {
    record_->push_back(name_ + " start");
  }
  void OnEnd(const BuildReport&, BuildLog*) override {
    record_->push_back(name_ + " end");
  }
  void OnFail(const BuildReport&, BuildLog*) override {
    record_->push_back(name_ + " fail");
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
  std::vector<std::string> env;
  BuildReport report{job, env, BuildStatus::kFailure, 3};
  BuildLog log;
  observers.OnStart(report, &log);
  observers.OnFail(report, &log);
  observers.OnEnd(report, &log);
  EXPECT_EQ(record, (std::vector<std::string>{"mail start", "status start",
                                              "mail fail", "status fail",
                                              "mail end", "status end"}));
}

}  // namespace
}  // namespace mm
