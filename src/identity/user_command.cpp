// `dangan user add`: creates a staff user from the command line (the first administrator).

#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "audit/register.hpp"
#include "cli/internal.hpp"
#include "identity/accounts.hpp"
#include "identity/passwords.hpp"

namespace dangan::identity {
namespace {

struct AddOptions {
    cli::CommonOptions common;
    std::string name;
    std::string role;
    std::string scope;
    std::string display_name;
    bool password_stdin = false;
};

int RunAdd(const AddOptions& o) {
    NewUser input;
    input.username = o.name;
    input.display_name = o.display_name;
    input.grants = {http::Grant{o.role, o.scope}};
    const bool generated = !o.password_stdin;
    if (generated) {
        input.password = GeneratePassword();
    } else {
        std::getline(std::cin, input.password);
        if (!input.password.empty() && input.password.back() == '\r') input.password.pop_back();
    }
    auto opened = cli::OpenApp(o.common, true);
    if (auto* code = std::get_if<int>(&opened)) return *code;
    auto& app = *std::get<std::unique_ptr<http::App>>(opened);
    audit::Start(app);
    auto created = CreateUser(app, input, nullptr);
    if (!created) {
        cli::PrintError(created.error());
        switch (created.error().code) {
            case ErrorCode::kInvalidArgument:
            case ErrorCode::kUnprocessable:
                return cli::kExitConfig;
            case ErrorCode::kUnavailable:
                return cli::kExitDatabase;
            default:
                return cli::kExitFailure;
        }
    }
    std::cout << fmt::format("已创建工作人员账号：{}（{}），角色 {}，范围 {}\n", created->username,
                             created->display_name, o.role, o.scope);
    if (generated) {
        std::cout << fmt::format("初始密码（只显示这一次，请妥善转交）：{}\n", input.password);
    }
    std::cout << "首次登录时需用验证器应用扫码绑定动态验证码。\n";
    return cli::kExitOk;
}

}  // namespace

cli::CommandSet UserCommands() {
    struct State {
        AddOptions options;
        CLI::App* add = nullptr;
    };
    auto state = std::make_shared<State>();
    cli::CommandSet set;
    set.add = [state](CLI::App& root) {
        auto* user = root.add_subcommand("user", "Staff user tools");
        user->require_subcommand(1);
        auto* add = user->add_subcommand("add", "Create a staff user (e.g. the first system_admin)");
        AddOptions& o = state->options;
        add->add_option("--name", o.name, "User name (2-32 of a-z 0-9 . _ -)")->required();
        add->add_option("--role", o.role, "Staff role")->required()->check(CLI::IsMember(http::StaffRoles()));
        add->add_option("--scope", o.scope, "Scope: city 2201, district 220102 or branch 220102-001")->required();
        add->add_option("--display-name", o.display_name, "Name shown in the console (default: the user name)");
        add->add_flag("--password-stdin", o.password_stdin,
                      "Read the password from the first line of standard input instead of generating one");
        cli::AddCommon(add, o.common);
        state->add = add;
    };
    set.run_if_chosen = [state]() -> std::optional<int> {
        if (state->add == nullptr || !state->add->parsed()) return std::nullopt;
        return RunAdd(state->options);
    };
    return set;
}

}  // namespace dangan::identity
