#pragma once
/// \file identity.hpp
/// Stable identities of the world's entities in the random streams (docs/model.md §2).
/// A stream is addressed by (trial, entity id, month word, purpose): the month word holds the
/// month and, above it, the entity's kind and group (`ext`). Every identity is built from
/// what the entity *is* — a rep's role, segment and ordinal in it; an account's segment and
/// ordinal in its book or the opportunity it was won from; an opportunity's source, month
/// and ordinal — never from its position among other entities, so adding an SMB AE or an
/// SMB account changes no enterprise rep's or account's draws (common random numbers across
/// headcount and book edits). This header is the one registry; the bindings expose it.
#include <cstdint>

#include "complab/metrics.hpp"

namespace complab::identity {

/// Months before month 0 that the warm start simulates (in-flight pipeline, docs/model.md §4).
inline constexpr int kPreMonths = 64;
/// Bits of the month word that hold month + kPreMonths; the group sits above them.
inline constexpr int kMonthBits = 11;
inline constexpr int kMaxMonths = (1 << kMonthBits) - kPreMonths;

/// Groups (the `ext` part, below 2^13): reps; SDR-sourced opportunities; per segment, its
/// inbound marketing, its accounts, and its inbound and prospected opportunities.
inline constexpr int kMaxSegments = 1024;
inline constexpr std::uint32_t kRepGroup = 1;
inline constexpr std::uint32_t kOpportunityGroup = 2;
inline constexpr std::uint32_t kInboundGroupBase = 16;
inline constexpr std::uint32_t kAccountGroupBase = kInboundGroupBase + kMaxSegments;
inline constexpr std::uint32_t kSegmentOpportunityGroupBase = kAccountGroupBase + kMaxSegments;

/// The month word of a stream of group `group` in month `month` (which may be as early as
/// -kPreMonths).
inline std::uint32_t month_word(std::uint32_t group, int month) {
  return (group << kMonthBits) | static_cast<std::uint32_t>(month + kPreMonths);
}

/// A rep: role, segment (SDRs have none) and ordinal among the reps of that role and segment.
inline constexpr int kMaxRepsPerGroup = 1 << 16;
inline std::uint32_t rep_id(Role role, int segment, int ordinal) {
  const auto seg = static_cast<std::uint32_t>(segment < 0 ? kMaxSegments - 1 : segment);
  return (static_cast<std::uint32_t>(role) << 28) | (seg << 16) | static_cast<std::uint32_t>(ordinal);
}

/// Accounts of segment `segment`: the initial book counts from 0; an account won from an
/// opportunity carries the opportunity's id with the top bit set.
inline std::uint32_t account_group(int segment) { return kAccountGroupBase + static_cast<std::uint32_t>(segment); }
inline constexpr std::uint32_t kNewAccountBit = 1u << 31;

/// Inbound marketing of segment `segment` (its monthly opportunity count).
inline std::uint32_t inbound_group(int segment) { return kInboundGroupBase + static_cast<std::uint32_t>(segment); }

/// Opportunities: source, creation month and an ordinal within (source, month), in 31 bits:
/// source kind (2 bits), month + kPreMonths (11 bits), 18 bits for the source's own number
/// and the opportunity's ordinal.
enum class Source : std::uint32_t { Sdr = 0, Inbound = 1, Prospecting = 2 };
/// The group of an opportunity's own streams: SDRs' share one; a segment's inbound and
/// prospected ones (whose ids repeat across segments) have the segment's.
inline std::uint32_t opportunity_group(Source source, int segment) {
  return source == Source::Sdr ? kOpportunityGroup
                               : kSegmentOpportunityGroupBase + static_cast<std::uint32_t>(segment);
}
/// SDR and prospecting opportunities: 9 bits of source ordinal, 9 of opportunity ordinal.
inline constexpr int kMaxSourceOrdinal = 1 << 9;
inline constexpr int kMaxOpportunitiesPerSourceMonth = 1 << 9;
/// Inbound opportunities of a segment and month: 18 bits of ordinal.
inline constexpr int kMaxInboundPerSegmentMonth = 1 << 18;
inline std::uint32_t opportunity_id(Source source, int month, int source_ordinal, int ordinal) {
  const std::uint32_t local = source == Source::Inbound
                                  ? static_cast<std::uint32_t>(ordinal)
                                  : (static_cast<std::uint32_t>(source_ordinal) << 9) | static_cast<std::uint32_t>(ordinal);
  return (static_cast<std::uint32_t>(source) << 29) | (static_cast<std::uint32_t>(month + kPreMonths) << 18) | local;
}

}  // namespace complab::identity
