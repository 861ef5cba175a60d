#include "bulk/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace dangan::bulk {

std::string Grouped(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string Duration(double seconds) {
    const auto s = static_cast<std::int64_t>(seconds + 0.5);
    if (s >= 3600) return fmt::format("{} 小时 {} 分", s / 3600, s % 3600 / 60);
    if (s >= 60) return fmt::format("{} 分 {} 秒", s / 60, s % 60);
    return fmt::format("{} 秒", s);
}

Progress::Progress(std::ostream& out, bool tty, std::string what, std::uint64_t total, Clock::time_point start)
    : out_(out), tty_(tty), what_(std::move(what)), total_(total), start_(start), last_print_(start) {}

double Progress::Seconds(Clock::time_point now) const { return std::chrono::duration<double>(now - start_).count(); }

std::string Progress::Line(std::uint64_t done, std::uint64_t rows, Clock::time_point now) const {
    const double seconds = Seconds(now);
    const double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0;
    std::string line = what_ + " " + Grouped(done);
    if (total_ > 0) {
        line += fmt::format(" / {}（{}%）", Grouped(total_), done * 100 / total_);
    }
    line += fmt::format("，{} 行，{} 行/秒", Grouped(rows), Grouped(static_cast<std::uint64_t>(rate)));
    if (total_ > 0 && done > 0 && done < total_) {
        const double left = seconds * static_cast<double>(total_ - done) / static_cast<double>(done);
        line += "，剩余约 " + Duration(left);
    }
    return line;
}

void Progress::Update(std::uint64_t done, std::uint64_t rows, Clock::time_point now) {
    if (tty_) {
        if (now - last_print_ < std::chrono::seconds(1)) return;
        last_print_ = now;
        // \r and erase-to-end-of-line: the line is rewritten in place.
        out_ << "\r" << Line(done, rows, now) << "\x1b[K" << std::flush;
        printed_ = true;
        return;
    }
    if (total_ == 0) return;
    const int tenth = static_cast<int>(done * 10 / total_);
    if (tenth <= last_tenth_ || done >= total_) return;
    last_tenth_ = tenth;
    out_ << Line(done, rows, now) << "\n" << std::flush;
}

void Progress::Note(const std::string& message) {
    Finish();
    out_ << message << "\n" << std::flush;
}

void Progress::Finish() {
    if (tty_ && printed_) out_ << "\r\x1b[K" << std::flush;
    printed_ = false;
}

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

}  // namespace dangan::bulk
