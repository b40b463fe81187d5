using Microsoft.Extensions.Logging;
using NumoTelemetry.Fraud.Feedback;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Metrics;

namespace NumoTelemetry.Dashboard.Workspace;

/// <summary>
/// What the workspace's actions do: a review or a list change is recorded in the <see cref="IFraudWorkspaceStore"/> (with an
/// audit entry) and handed to the fraud engine's <see cref="IFraudFeedback"/>, which stops the subject's alerts for the rule,
/// lifts (or imposes) enforcement at once, on every node with Redis, and counts false positives per rule. The store keeps the
/// lists across restarts; <see cref="LoadAsync"/> hands them back to the engine at start.
/// </summary>
internal sealed class WorkspaceFeedback(
    IFraudWorkspaceStore store,
    TimeProvider time,
    ILogger<WorkspaceFeedback> logger,
    IFraudFeedback? engine = null,
    ILossCounter? metrics = null)
{
    /// <summary>Whether the fraud engine takes feedback (it does whenever <c>AddNumoTelemetry</c> registered it).</summary>
    public bool TakesEffect => engine is not null;

    /// <summary>The detectors and their modes, or none without the engine.</summary>
    public IReadOnlyList<FraudDetectorInfo> Detectors => engine?.Detectors ?? [];

    /// <summary>The mode (<c>off</c>, <c>observe</c>, <c>alert</c>, <c>enforce</c>) of the detector raising <paramref name="rule"/>, or <see langword="null"/> without the engine.</summary>
    public string? ModeOfRule(string rule) => engine?.ModeOfRule(rule).ToString().ToLowerInvariant();

    /// <summary>Records a review; a false positive puts the subject on the allow list for the rule, a confirmed fraud takes such entries off.</summary>
    public async ValueTask<WorkspaceReviewResult> ReviewAsync(string id, string state, string who, string? note, DateTimeOffset? allowUntil, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var result = await store.ReviewAlertAsync(id, new WorkspaceAlertReview(state, who, now, note), cancellationToken).ConfigureAwait(false);
        if (result.Outcome != WorkspaceReviewOutcome.Updated)
        {
            return result;
        }

        var alert = result.Alert!;
        await AuditAsync(who, "review", state, alert.Id, cancellationToken).ConfigureAwait(false);
        if (!SubjectText.TryParseKind(alert.SubjectKind, out var kind))
        {
            return result;
        }

        if (state == WorkspaceAlertStates.FalsePositive)
        {
            FraudListEntry? allowed = null;
            if (engine is not null)
            {
                allowed = await engine.MarkAsync(FraudVerdict.FalsePositive, kind, alert.Subject, alert.Rule, allowUntil, who, cancellationToken).ConfigureAwait(false);
            }

            await store.AddListEntryAsync(new WorkspaceListEntry
            {
                Id = allowed?.Id ?? WorkspaceIds.New("fl_"),
                List = WorkspaceListKind.Allow,
                SubjectKind = alert.SubjectKind,
                Subject = alert.Subject,
                Rule = alert.Rule,
                Expires = allowed?.Expires ?? allowUntil,
                Created = now,
                CreatedBy = who,
                Note = "false positive " + alert.Id,
            }, cancellationToken).ConfigureAwait(false);
        }
        else if (state == WorkspaceAlertStates.Confirmed)
        {
            if (engine is not null)
            {
                await engine.MarkAsync(FraudVerdict.ConfirmedFraud, kind, alert.Subject, alert.Rule, null, who, cancellationToken).ConfigureAwait(false);
            }

            // The verdict was corrected: the subject's allow entries for the rule go (from the store and the engine).
            foreach (var entry in await store.ReadListAsync(WorkspaceListKind.Allow, now, cancellationToken).ConfigureAwait(false))
            {
                if (entry.SubjectKind == alert.SubjectKind && entry.Subject == alert.Subject && entry.Rule == alert.Rule)
                {
                    await store.RemoveListEntryAsync(WorkspaceListKind.Allow, entry.Id, cancellationToken).ConfigureAwait(false);
                    if (engine is not null)
                    {
                        await engine.RemoveAsync(entry.Id, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        return result;
    }

    /// <summary>Adds a list entry (the engine first, which checks it and makes its id; then the store).</summary>
    public async ValueTask<WorkspaceListEntry> AddAsync(WorkspaceListKind list, SubjectKind kind, string subject, string? rule, DateTimeOffset? expires, string? note, string who, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = WorkspaceIds.New("fl_");
        if (engine is not null)
        {
            var added = await engine.AddAsync(new FraudListEntry
            {
                Id = id,
                List = list == WorkspaceListKind.Allow ? FraudListKind.Allow : FraudListKind.Deny,
                SubjectKind = kind,
                Subject = subject,
                Rule = rule,
                Expires = expires,
                Created = now,
                CreatedBy = who,
                Source = FraudListSource.Manual,
            }, cancellationToken).ConfigureAwait(false);
            id = added.Id;
        }

        var entry = new WorkspaceListEntry
        {
            Id = id,
            List = list,
            SubjectKind = SubjectKey.KindName(kind),
            Subject = subject,
            Rule = rule,
            Expires = expires,
            Created = now,
            CreatedBy = who,
            Note = note,
        };
        try
        {
            await store.AddListEntryAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (engine is not null)
            {
                await engine.RemoveAsync(id, CancellationToken.None).ConfigureAwait(false); // not kept: not in effect either
            }

            throw;
        }

        await AuditAsync(who, list == WorkspaceListKind.Allow ? "allow-add" : "deny-add", entry.SubjectKind, id, cancellationToken).ConfigureAwait(false);
        return entry;
    }

    /// <summary>Removes a list entry from the store and the engine; <see langword="null"/> when the list has no such entry.</summary>
    public async ValueTask<WorkspaceListEntry?> RemoveAsync(WorkspaceListKind list, string id, string who, CancellationToken cancellationToken)
    {
        var removed = await store.RemoveListEntryAsync(list, id, cancellationToken).ConfigureAwait(false);
        if (removed is null)
        {
            return null;
        }

        if (engine is not null)
        {
            await engine.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
        }

        await AuditAsync(who, list == WorkspaceListKind.Allow ? "allow-remove" : "deny-remove", removed.SubjectKind, id, cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Hands the stored, unexpired list entries to the engine (start-up); returns how many it took.</summary>
    public async ValueTask<int> LoadAsync(CancellationToken cancellationToken)
    {
        if (engine is null)
        {
            DashboardLog.FeedbackWithoutEngine(logger);
            return 0;
        }

        var now = time.GetUtcNow();
        var entries = new List<FraudListEntry>();
        foreach (var list in (WorkspaceListKind[])[WorkspaceListKind.Allow, WorkspaceListKind.Deny])
        {
            foreach (var entry in await store.ReadListAsync(list, now, cancellationToken).ConfigureAwait(false))
            {
                if (SubjectText.TryParseKind(entry.SubjectKind, out var kind))
                {
                    entries.Add(new FraudListEntry
                    {
                        Id = entry.Id,
                        List = list == WorkspaceListKind.Allow ? FraudListKind.Allow : FraudListKind.Deny,
                        SubjectKind = kind,
                        Subject = entry.Subject,
                        Rule = entry.Rule,
                        Expires = entry.Expires,
                        Created = entry.Created,
                        CreatedBy = entry.CreatedBy,
                    });
                }
            }
        }

        var loaded = entries.Count == 0 ? 0 : await engine.LoadAsync(entries, cancellationToken).ConfigureAwait(false);
        DashboardLog.ListsLoaded(logger, loaded, entries.Count);
        return loaded;
    }

    /// <summary>Appends an audit entry (who, what, which kind, the pseudonymous object; never a raw value).</summary>
    public ValueTask AuditAsync(string who, string action, string kind, string? target, CancellationToken cancellationToken) =>
        store.AppendAuditAsync(new WorkspaceAuditEntry
        {
            Id = WorkspaceIds.New("au_"),
            At = time.GetUtcNow(),
            Who = who,
            Action = action,
            Kind = kind,
            Target = target,
        }, cancellationToken);

    /// <summary>Counts a failure of the workspace's store or the engine's feedback (<c>numo.errors{numo.stage}</c>).</summary>
    public void Failed(string stage) => metrics?.RecordError(stage);
}
