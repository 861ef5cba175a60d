#include "bulk/gen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "archives/persons.hpp"
#include "archives/records.hpp"
#include "bulk/generator.hpp"
#include "core/ids.hpp"
#include "db/bulk.hpp"

namespace dangan::bulk {

namespace {

constexpr std::string_view kMetaKey = "bulk.gen";
constexpr std::string_view kSaveMeta =
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

enum Table : std::size_t { kPersons, kRecords, kItems, kPeriods };

std::vector<db::BulkTable> Tables() {
    return {
        {"persons",
         {"id", "name", "id_number_sealed", "id_number_index", "mobile_sealed", "mobile_index", "gender", "birth_date",
          "region_code", "created_at_ms", "updated_at_ms"}},
        {"archive_records",
         {"id", "archival_code", "person_id", "kind", "holder_id", "shelf_location", "status", "filed_year",
          "retention_years", "retention_ends", "created_at_ms", "updated_at_ms"}},
        {"archive_items", {"record_id", "seq", "title", "doc_type", "doc_date", "page_count"}},
        {"employment_periods", {"person_id", "seq", "employer_name", "employer_credit_code", "from_date", "to_date"}},
    };
}

// What the meta table says about earlier runs.
struct Recorded {
    std::uint64_t seed = 0;
    std::uint64_t persons = 0;
};

Result<std::optional<Recorded>> ReadRecorded(db::Database& db) {
    auto found = db.Query("SELECT value FROM meta WHERE key = ?", {std::string(kMetaKey)});
    if (!found) return found.error();
    if (found->empty()) return std::optional<Recorded>{};
    const auto json = nlohmann::json::parse(found->rows.front().Text(0), nullptr, false);
    if (json.is_discarded() || !json.contains("seed") || !json.contains("persons")) {
        return MakeError(ErrorCode::kInternal, "数据库中的生成记录（meta 表 bulk.gen）已损坏", "", "bad_gen_record");
    }
    return std::optional<Recorded>(
        Recorded{json.at("seed").get<std::uint64_t>(), json.at("persons").get<std::uint64_t>()});
}

std::string RecordJson(std::uint64_t seed, std::uint64_t persons) {
    return nlohmann::json{{"seed", seed}, {"persons", persons}}.dump();
}

// Inserts the generated holders and branches whose codes are not taken yet (validated by the
// store's upserts) and returns the id of every generated holder, in order.
Result<std::vector<std::string>> StoreHoldersAndBranches(http::App& app, const Generator& gen, GenSummary& summary) {
    auto holders = app.db->Query("SELECT code, id FROM holders");
    if (!holders) return holders.error();
    std::map<std::string, std::string> id_of;
    for (const db::Row& row : holders->rows) id_of[row.Text(0)] = row.Text(1);
    auto branches = app.db->Query("SELECT code FROM branches");
    if (!branches) return branches.error();
    std::map<std::string, bool> branch_taken;
    for (const db::Row& row : branches->rows) branch_taken[row.Text(0)] = true;

    DANGAN_TRY(app.db->Transaction([&](db::Connection& conn) -> Status {
        for (const archives::Holder& h : gen.holders()) {
            if (id_of.contains(h.code)) continue;
            auto stored = archives::UpsertHolder(conn, *app.clock, h);
            if (!stored) return stored.error();
            id_of[h.code] = stored->id;
            ++summary.holders;
        }
        for (const archives::Branch& b : gen.branches()) {
            if (branch_taken.contains(b.code)) continue;
            auto stored = archives::UpsertBranch(conn, *app.clock, b);
            if (!stored) return stored.error();
            ++summary.branches;
        }
        return Ok();
    }));
    std::vector<std::string> ids;
    for (const archives::Holder& h : gen.holders()) ids.push_back(id_of.at(h.code));
    return ids;
}

// A generated person with what the database adds: ids, sealed identifiers, blind indexes.
struct Prepared {
    GenPerson person;
    std::string id;
    archives::SealedIdentifiers sealed;
    std::vector<std::string> record_ids;
};

struct Batch {
    std::vector<Prepared> persons;
    std::optional<Error> error;
};

// Batches made on a second thread while the caller writes the previous one.
class Producer {
public:
    Producer(Generator& gen, const http::App& app, std::uint64_t count, std::size_t batch_size)
        : gen_(gen), app_(app), left_(count), batch_size_(batch_size), thread_([this] { Run(); }) {}

    ~Producer() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }

    // Hands a written batch back: freeing its thousands of strings is the producer's job,
    // so that the writing thread only writes.
    void Recycle(Batch&& batch) {
        std::lock_guard lock(mu_);
        spent_.push_back(std::move(batch));
    }

    // The next batch; an empty one at the end.
    Batch Take() {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty() || finished_; });
        if (queue_.empty()) return {};
        Batch batch = std::move(queue_.front());
        queue_.pop_front();
        cv_.notify_all();
        return batch;
    }

private:
    static constexpr std::size_t kQueued = 2;

    void Run() {
        while (left_ > 0) {
            std::vector<Batch> spent;
            {
                std::lock_guard lock(mu_);
                spent.swap(spent_);
            }
            spent.clear();
            Batch batch = Make(std::min<std::uint64_t>(left_, batch_size_));
            left_ -= batch.persons.size();
            const bool failed = batch.error.has_value();
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return queue_.size() < kQueued || stop_; });
            if (stop_) return;
            queue_.push_back(std::move(batch));
            cv_.notify_all();
            if (failed) break;
        }
        std::lock_guard lock(mu_);
        finished_ = true;
        cv_.notify_all();
    }

    Batch Make(std::size_t n) {
        Batch batch;
        batch.persons.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            Prepared p;
            p.person = gen_.Next();
            auto sealed = archives::SealIdentifiers(app_.keyring, p.person.id_number, p.person.mobile);
            if (!sealed) {
                batch.error = sealed.error();
                return batch;
            }
            p.sealed = std::move(*sealed);
            batch.persons.push_back(std::move(p));
        }
        // Inserting in blind-index order gives that random-key index some locality; ids handed
        // out in the same order then grow with every row, so every other key (ids, the items'
        // and periods' primary keys) is appended at the end of its B-tree.
        std::sort(batch.persons.begin(), batch.persons.end(), [](const Prepared& a, const Prepared& b) {
            return a.sealed.id_number_index < b.sealed.id_number_index;
        });
        for (Prepared& p : batch.persons) {
            p.id = core::NewId(*app_.clock);
            for (std::size_t r = 0; r < p.person.records.size(); ++r) p.record_ids.push_back(core::NewId(*app_.clock));
        }
        return batch;
    }

    Generator& gen_;
    const http::App& app_;
    std::uint64_t left_;
    const std::size_t batch_size_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Batch> queue_;   // guarded by mu_
    std::vector<Batch> spent_;  // guarded by mu_
    bool stop_ = false;         // guarded by mu_
    bool finished_ = false;     // guarded by mu_
    std::thread thread_;        // last: starts after everything above is ready
};

db::BulkValue Opt(const std::optional<std::string>& s) {
    return s ? db::BulkValue(std::string_view(*s)) : db::BulkValue(nullptr);
}

Status WriteBatch(db::BulkWriter& writer, const Batch& batch, const std::vector<std::string>& holder_ids,
                  const Generator& gen, std::int64_t now, GenSummary& summary) {
    for (const Prepared& p : batch.persons) {
        const GenPerson& g = p.person;
        const std::array<db::BulkValue, 11> row{p.id,
                                                g.name,
                                                db::BytesView{p.sealed.id_number_sealed},
                                                p.sealed.id_number_index,
                                                db::BytesView{p.sealed.mobile_sealed},
                                                p.sealed.mobile_index,
                                                std::string_view(g.male ? "male" : "female"),
                                                g.birth_date,
                                                g.region_code,
                                                now,
                                                now};
        DANGAN_TRY(writer.Add(kPersons, row));
    }
    for (const Prepared& p : batch.persons) {
        for (std::size_t r = 0; r < p.person.records.size(); ++r) {
            const GenRecord& rec = p.person.records[r];
            const std::array<db::BulkValue, 12> row{
                p.record_ids[r],
                rec.archival_code,
                p.id,
                rec.kind,
                holder_ids[rec.holder],
                rec.shelf_location,
                rec.status,
                std::int64_t{rec.filed_year},
                rec.retention_years ? db::BulkValue(std::int64_t{*rec.retention_years}) : db::BulkValue(nullptr),
                Opt(rec.retention_ends),
                now,
                now};
            DANGAN_TRY(writer.Add(kRecords, row));
            for (const archives::ArchiveItem& item : rec.items) {
                const std::array<db::BulkValue, 6> item_row{p.record_ids[r], std::int64_t{item.seq},
                                                            item.title,      item.doc_type,
                                                            item.doc_date,   std::int64_t{item.page_count}};
                DANGAN_TRY(writer.Add(kItems, item_row));
            }
            summary.items += rec.items.size();
        }
        summary.records += p.person.records.size();
        for (std::size_t i = 0; i < p.person.periods.size(); ++i) {
            const GenPeriod& period = p.person.periods[i];
            const archives::Holder& employer = gen.holders()[period.employer];
            const std::array<db::BulkValue, 6> row{p.id,          std::int64_t(i + 1), employer.name,
                                                   employer.code, period.from_date,    Opt(period.to_date)};
            DANGAN_TRY(writer.Add(kPeriods, row));
        }
        summary.periods += p.person.periods.size();
    }
    summary.persons += batch.persons.size();
    return Ok();
}

}  // namespace

Result<GenSummary> Generate(http::App& app, const GenOptions& options, Progress* progress) {
    if (options.batch == 0 || options.sample_every == 0) {
        return MakeError(ErrorCode::kInvalidArgument, "批次大小和抽样间隔须大于 0", "", "invalid_option");
    }
    const auto started = std::chrono::steady_clock::now();
    auto recorded = ReadRecorded(*app.db);
    if (!recorded) return recorded.error();
    GenSummary summary;
    if (*recorded && !options.append) {
        return MakeError(ErrorCode::kConflict,
                         fmt::format("数据库中已有 dangan gen 生成的 {} 名人员（种子 {}）；如要接着生成，请加 --append",
                                     (*recorded)->persons, (*recorded)->seed),
                         "", "already_generated");
    }
    if (options.append && !*recorded) {
        return MakeError(ErrorCode::kConflict, "数据库中没有 dangan gen 的生成记录，不能使用 --append", "",
                         "nothing_to_append");
    }
    if (*recorded && options.seed && *options.seed != (*recorded)->seed) {
        return MakeError(ErrorCode::kConflict,
                         fmt::format("--append 须沿用原来的种子 {}（给出的是 {}）", (*recorded)->seed, *options.seed),
                         "", "seed_mismatch");
    }
    summary.seed = *recorded ? (*recorded)->seed : options.seed.value_or(1);
    summary.first_number = *recorded ? (*recorded)->persons : 0;

    Generator gen(summary.seed);
    gen.Skip(summary.first_number);
    auto holder_ids = StoreHoldersAndBranches(app, gen, summary);
    if (!holder_ids) return holder_ids.error();

    std::ofstream sample;
    if (!options.sample_out.empty()) {
        std::error_code ec;
        const bool fresh = !options.append || std::filesystem::file_size(options.sample_out, ec) == 0 || ec;
        sample.open(options.sample_out, fresh ? std::ios::trunc : std::ios::app);
        if (!sample) {
            return MakeError(ErrorCode::kInvalidArgument, "无法写入抽样文件 " + options.sample_out, "sample_out",
                             "invalid_sample_out");
        }
        if (fresh) sample << "id_number,person_id\n";
    }

    auto existing = app.db->Query("SELECT COUNT(*) FROM persons");
    if (!existing) return existing.error();
    db::BulkOptions bulk_options;
    bulk_options.check_foreign_keys = false;  // consistent by construction; checked in tests
    // The ID-number index takes random keys: it must stay in the cache (about 100 bytes a
    // person; the rest of the load appends). 1–4 GiB.
    bulk_options.cache_mib = static_cast<std::int64_t>(std::clamp<std::uint64_t>(
        (options.persons + static_cast<std::uint64_t>(existing->rows.front().Int(0))) / 2500, 1024, 4096));
    // Rebuilding an index sorts the whole table: worth it only when the load doubles it.
    bulk_options.defer_indexes = options.persons >= static_cast<std::uint64_t>(existing->rows.front().Int(0));
    auto writer = db::OpenBulkWriter(app.config.database.url, Tables(), bulk_options);
    if (!writer) return writer.error();

    const std::int64_t now = core::UnixMillis(app.clock->Now());
    const std::uint64_t base_rows = summary.holders + summary.branches;
    Producer producer(gen, app, options.persons, options.batch);
    for (Batch batch = producer.Take(); !batch.persons.empty() || batch.error; batch = producer.Take()) {
        if (batch.error) return *batch.error;
        DANGAN_TRY(WriteBatch(**writer, batch, *holder_ids, gen, now, summary));
        const std::string record = RecordJson(summary.seed, summary.first_number + summary.persons);
        DANGAN_TRY((*writer)->Execute(kSaveMeta, std::array<db::BulkValue, 2>{kMetaKey, record}));
        DANGAN_TRY((*writer)->Commit());
        if (sample.is_open()) {
            std::vector<const Prepared*> picked;
            for (const Prepared& p : batch.persons) {
                if (p.person.number % options.sample_every == 0) picked.push_back(&p);
            }
            std::sort(picked.begin(), picked.end(),
                      [](const Prepared* a, const Prepared* b) { return a->person.number < b->person.number; });
            for (const Prepared* p : picked) sample << p->person.id_number << ',' << p->id << '\n';
            sample.flush();
        }
        if (progress != nullptr) progress->Update(summary.persons, summary.rows() - base_rows);
        producer.Recycle(std::move(batch));
    }
    if (progress != nullptr) progress->Note("数据已写完，正在提交并建立索引……");
    DANGAN_TRY((*writer)->Finish());
    if (progress != nullptr) progress->Finish();
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

}  // namespace dangan::bulk
