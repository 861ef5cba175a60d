#pragma once

// Progress of a long load for people watching it: on a terminal one line, refreshed about
// once a second ("生成人员 1,234,000 / 10,000,000（12%），4,120,000 行，152,300 行/秒，
// 剩余约 8 分 40 秒"); elsewhere (a log file, CI) a line at every tenth of the work.

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace dangan::bulk {

// "12,345,678"
std::string Grouped(std::uint64_t n);
// "8 分 40 秒", "1 小时 2 分", "12 秒"
std::string Duration(double seconds);

class Progress {
public:
    using Clock = std::chrono::steady_clock;

    // `what`: what is counted ("生成人员", "导入"); `total`: units of work (0 when unknown).
    // `tty`: refresh one line in place (a terminal) or print a line per tenth.
    Progress(std::ostream& out, bool tty, std::string what, std::uint64_t total,
             Clock::time_point start = Clock::now());

    // `done` units and `rows` database rows so far. Prints when a refresh is due.
    void Update(std::uint64_t done, std::uint64_t rows, Clock::time_point now = Clock::now());
    // Sets the units of work once they are known (e.g. after reading a file).
    void SetTotal(std::uint64_t total) { total_ = total; }
    // Prints a message on a line of its own (e.g. a final step that reports no progress).
    void Note(const std::string& message);
    // Ends the refreshed line (on a terminal) so that what follows starts on its own line.
    void Finish();

    double Seconds(Clock::time_point now = Clock::now()) const;

private:
    std::string Line(std::uint64_t done, std::uint64_t rows, Clock::time_point now) const;

    std::ostream& out_;
    bool tty_;
    std::string what_;
    std::uint64_t total_;
    Clock::time_point start_;
    Clock::time_point last_print_;
    int last_tenth_ = 0;
    bool printed_ = false;
};

// True when standard error is a terminal.
bool StderrIsTerminal();

}  // namespace dangan::bulk
