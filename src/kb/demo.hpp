#pragma once

#include <string_view>

namespace dangan::kb {

// src/kb/data/demo_kb.jsonl (the demo knowledge base, faq.jsonl format), embedded by CMake.
std::string_view DemoKbJsonl();

}  // namespace dangan::kb
