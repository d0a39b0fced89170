#include "web/web_pages.h"

#include "job/build_log.h"
#include "web/badge.h"
#include "web/html.h"

namespace mm {
namespace {

// Seconds between reloads of a running build's page.
constexpr int kRefreshSeconds = 5;

const char kStyle[] =
    "body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;max-width:70em;"
    "padding:.5em 1em;color:#222}\n"
    "a{color:#1d5fa8}h1{font-size:1.3em}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{text-align:left;padding:.25em .5em;border-bottom:1px solid #ddd;"
    "vertical-align:top}\n"
    ".status{color:#fff;border-radius:3px;padding:0 .4em;white-space:nowrap}\n"
    "code,pre{font:13px/1.35 ui-monospace,monospace}\n"
    "pre{background:#f6f6f6;padding:.5em;overflow-x:auto;white-space:pre-wrap;"
    "word-break:break-all}\n"
    ".m-mixmaster{color:#555}.m-step{font-weight:bold}.m-stderr{color:#b02a1a}"
    "\n.m-killed{color:#fff;background:#b02a1a}.m-hook{color:#6b3fa0}\n"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}"
    "dd{margin:0}\n"
    "@media (max-width:40em){.wide{display:none}}\n";

std::string Head(const std::string& title, bool refresh) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n";
  if (refresh)
    h += "<meta http-equiv=\"refresh\" content=\"" +
         std::to_string(kRefreshSeconds) + "\">\n";
  return h + "<title>" + HtmlEscape(title) + "</title>\n<style>\n" + kStyle +
         "</style>\n</head>\n<body>\n";
}

const char kFoot[] = "</body>\n</html>\n";

// A status as a label in its colour; `id`, when given, names the element.
std::string StatusSpan(const std::string& status, const char* id = nullptr) {
  std::string span = "<span class=\"status\"";
  if (id) span += std::string(" id=\"") + id + "\"";
  return span + " data-status=\"" + HtmlEscape(status) +
         "\" style=\"background:" + StatusColour(status) + "\">" +
         HtmlEscape(status) + "</span>";
}

std::string ShortCommit(const std::string& commit) {
  return commit.empty() ? "-" : HtmlEscape(commit.substr(0, 12));
}

std::string Duration(const BuildSummary& b) {
  return b.duration.empty() ? "-" : HtmlEscape(b.duration) + " s";
}

std::string When(const BuildSummary& b) {
  const std::string& t = !b.finished.empty()  ? b.finished
                         : !b.started.empty() ? b.started
                                              : b.received;
  return t.empty() ? "-" : HtmlEscape(t);
}

std::string BuildLink(const BuildSummary& b) {
  return "/builds/" + HtmlEscape(b.project_dir) + "/" + HtmlEscape(b.id);
}

const char* MarkerClass(char marker) {
  switch (marker) {
    case '#':
      return "m-mixmaster";
    case '$':
      return "m-step";
    case 'O':
      return "m-stdout";
    case '!':
      return "m-stderr";
    case 'X':
      return "m-killed";
    case 'H':
      return "m-hook";
  }
  return nullptr;
}

}  // namespace

std::string LogLinesHtml(const std::string& text, bool cut) {
  std::string out;
  ForEachLogLine(text, cut, [&out](const std::string& line, char marker) {
    const char* cls = marker ? MarkerClass(marker) : nullptr;
    if (cls)
      out += std::string("<span class=\"") + cls + "\">" + HtmlEscape(line) +
             "</span>\n";
    else
      out += HtmlEscape(line) + "\n";
  });
  return out;
}

std::string HistoryPage(const std::vector<BuildSummary>& last_builds) {
  std::string p = Head("Builds", false) +
                  "<h1>Builds</h1>\n<table id=\"history\">\n<tr><th>Project"
                  "</th><th>Target</th><th>Status</th><th class=\"wide\">"
                  "Commit</th><th>When</th><th class=\"wide\">Duration</th>"
                  "</tr>\n";
  for (const BuildSummary& b : last_builds) {
    p += "<tr class=\"build\"><td><a href=\"/builds/" +
         HtmlEscape(b.project_dir) + "\">" + HtmlEscape(b.project_name()) +
         "</a></td><td><a href=\"" + BuildLink(b) + "\">" +
         HtmlEscape(b.target) + "</a></td><td>" + StatusSpan(b.status) +
         "</td><td class=\"wide\"><code>" + ShortCommit(b.commit) +
         "</code></td><td>" + When(b) + "</td><td class=\"wide\">" +
         Duration(b) + "</td></tr>\n";
  }
  if (last_builds.empty())
    p += "<tr><td colspan=\"6\">No builds yet.</td></tr>\n";
  return p + "</table>\n" + kFoot;
}

std::string ProjectPage(const std::string& dir,
                        const std::vector<BuildSummary>& builds, long page,
                        bool has_older) {
  std::string name = builds.empty() ? dir : builds[0].project_name();
  std::string p = Head(name + " builds", false) +
                  "<p><a href=\"/builds\">All projects</a></p>\n<h1>" +
                  HtmlEscape(name) +
                  "</h1>\n<table id=\"builds\">\n<tr><th>Build</th><th>Target"
                  "</th><th>Status</th><th class=\"wide\">Commit</th><th>When"
                  "</th><th class=\"wide\">Duration</th></tr>\n";
  for (const BuildSummary& b : builds)
    p += "<tr class=\"build\"><td><a href=\"" + BuildLink(b) + "\">" +
         HtmlEscape(b.id) + "</a></td><td>" + HtmlEscape(b.target) +
         "</td><td>" + StatusSpan(b.status) + "</td><td class=\"wide\"><code>" +
         ShortCommit(b.commit) + "</code></td><td>" + When(b) +
         "</td><td class=\"wide\">" + Duration(b) + "</td></tr>\n";
  p += "</table>\n<p>";
  std::string base = "/builds/" + HtmlEscape(dir) + "?page=";
  if (page > 1)
    p += "<a rel=\"prev\" href=\"" + base + std::to_string(page - 1) +
         "\">Newer</a> ";
  p += "Page " + std::to_string(page);
  if (has_older)
    p += " <a rel=\"next\" href=\"" + base + std::to_string(page + 1) +
         "\">Older</a>";
  return p + "</p>\n" + kFoot;
}

std::string BuildPage(const BuildSummary& b, const std::string& log_text,
                      bool cut) {
  std::string title = b.project_name() + " " + b.target + " " + b.id;
  std::string p = Head(title, !b.complete()) + "<p><a href=\"/builds/" +
                  HtmlEscape(b.project_dir) + "\">" +
                  HtmlEscape(b.project_name()) + "</a></p>\n<h1>" +
                  HtmlEscape(b.target) + " " + HtmlEscape(b.id) +
                  "</h1>\n<dl id=\"fields\">\n";
  auto field = [&p](const char* name, const std::string& html) {
    p += std::string("<dt>") + name + "</dt><dd>" + html + "</dd>\n";
  };
  field("Status", StatusSpan(b.status, "status"));
  field("Project", HtmlEscape(b.project));
  field("Target", HtmlEscape(b.target));
  if (!b.task.empty()) field("Task", HtmlEscape(b.task));
  std::string commit = "<code>" + HtmlEscape(b.commit) + "</code>";
  if (IsWebLink(b.view_url))
    commit += " <a href=\"" + HtmlEscape(b.view_url) + "\">view</a>";
  else if (!b.view_url.empty())
    commit += " " + HtmlEscape(b.view_url);
  field("Commit", commit);
  if (!b.message.empty()) field("Message", HtmlEscape(b.message));
  // Not the repository URL: it may carry a token.
  if (!b.build_command.empty())
    field("Command", "<code>" + HtmlEscape(b.build_command) + "</code>");
  field("Received", HtmlEscape(b.received));
  field("Started", HtmlEscape(b.started));
  if (b.complete()) {
    field("Finished", HtmlEscape(b.finished));
    field("Duration", Duration(b));
    field("Exit code", HtmlEscape(b.exit_code));
  }
  std::string raw = BuildLink(b) + ".log";
  p += "</dl>\n<h2>Log</h2>\n";
  if (cut)
    p += "<p>Only the end of a long log is shown; <a href=\"" + raw +
         "\">the whole log</a>.</p>\n";
  p += "<pre id=\"log\">" + LogLinesHtml(log_text, cut) +
       "</pre>\n<p><a href=\"" + raw + "\">Raw log</a>" +
       (b.complete() ? "" : " (this page reloads until the build ends)") +
       "</p>\n";
  return p + kFoot;
}

}  // namespace mm
