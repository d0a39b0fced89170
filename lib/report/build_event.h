// The three moments of a build that mmbuild(1) NOTIFICATIONS speaks of,
// modelled once: the runner reports them to its observer, the mails are
// named after them, the hook gets them as MIXMASTER_EVENT.
#ifndef MIXMASTER_BUILD_EVENT_H_
#define MIXMASTER_BUILD_EVENT_H_

namespace mm {

// kStart when the build begins, then exactly one of kEnd (status success)
// or kFail (status failure, error or killed).
enum class BuildEvent { kStart, kEnd, kFail };

}  // namespace mm

#endif  // MIXMASTER_BUILD_EVENT_H_
