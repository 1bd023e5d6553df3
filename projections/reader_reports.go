package projections

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/caseledger/caseledger/domain"
)

// WeeklyUtilisation counts one therapist's sessions of one service type in one week (Monday 00:00
// UTC), by status, with booked and delivered minutes. It holds no client id and nothing clinical.
type WeeklyUtilisation struct {
	TherapistID   domain.ID
	ServiceTypeID domain.ID
	WeekStart     time.Time
	// Scheduled counts sessions booked or pending approval; Completed, NoShow, Cancelled (on
	// time), LateCancelled and Declined count the outcomes.
	Scheduled, Completed, NoShow, Cancelled, LateCancelled, Declined int
	// BookedMinutes sums the length of every session that kept its slot (scheduled, completed,
	// no-show); DeliveredMinutes only the completed ones.
	BookedMinutes, DeliveredMinutes int64
	// FeesMinor sums late-cancellation and no-show fees, by currency.
	FeesMinor map[string]int64
}

// Utilisation returns the weekly counts of the sessions starting in [from, to), by therapist,
// service type and week, as the actor may see them (practice managers, admins and the DPO: every
// therapist; a therapist: their own; anyone else: nothing), ordered by week, therapist and
// service type.
func (r *Reader) Utilisation(ctx context.Context, actor domain.Actor, from, to time.Time) ([]WeeklyUtilisation, error) {
	if !from.Before(to) {
		return nil, domain.Invalid("period", "from must be before to")
	}
	var out []WeeklyUtilisation
	err := r.read(ctx, actor, readQuery{what: "utilisation", sql: `
			SELECT therapist_id, service_type_id, date_trunc('week', starts_at AT TIME ZONE 'UTC') AS week,
			       count(*) FILTER (WHERE status IN ('booked', 'pending_approval')),
			       count(*) FILTER (WHERE status = 'completed'),
			       count(*) FILTER (WHERE status = 'no_show'),
			       count(*) FILTER (WHERE status = 'cancelled'),
			       count(*) FILTER (WHERE status = 'late_cancelled'),
			       count(*) FILTER (WHERE status = 'declined'),
			       coalesce(sum(minutes) FILTER (WHERE status IN ('booked', 'pending_approval', 'completed', 'no_show')), 0),
			       coalesce(sum(minutes) FILTER (WHERE status = 'completed'), 0),
			       coalesce(jsonb_object_agg(fee_currency, fee_sum) FILTER (WHERE fee_currency IS NOT NULL), '{}')
			  FROM (SELECT s.*, sum(fee_minor) OVER (PARTITION BY therapist_id, service_type_id,
			               date_trunc('week', starts_at AT TIME ZONE 'UTC'), fee_currency) AS fee_sum
			          FROM rm_practice_sessions s WHERE starts_at >= $1 AND starts_at < $2) s
			 GROUP BY therapist_id, service_type_id, week
			 ORDER BY week, therapist_id, service_type_id`,
		args: []any{from, to}, row: func(rows pgx.Rows) error {
			var w WeeklyUtilisation
			var therapist, st uuid.UUID
			if err := rows.Scan(&therapist, &st, &w.WeekStart, &w.Scheduled, &w.Completed, &w.NoShow,
				&w.Cancelled, &w.LateCancelled, &w.Declined, &w.BookedMinutes, &w.DeliveredMinutes, &w.FeesMinor); err != nil {
				return err
			}
			w.TherapistID, w.ServiceTypeID = domain.ID(therapist), domain.ID(st)
			w.WeekStart = time.Date(w.WeekStart.Year(), w.WeekStart.Month(), w.WeekStart.Day(), 0, 0, 0, 0, time.UTC)
			out = append(out, w)
			return nil
		}})
	return out, err
}
