package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/watchdog-monitor/watchdog/backend/internal/statuspage"
	"github.com/watchdog-monitor/watchdog/backend/internal/target"
)

type statusPageRow struct {
	ID          int64
	Slug        string
	Title       string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (statusPageRow) TableName() string { return "status_pages" }

type pageTargetRow struct {
	PageID   int64
	TargetID int64
	Position int
}

func (pageTargetRow) TableName() string { return "status_page_targets" }

func (r statusPageRow) toDomain(ids []int64) statuspage.Page {
	if ids == nil {
		ids = []int64{}
	}
	return statuspage.Page{ID: r.ID, Slug: r.Slug, Title: r.Title, Description: r.Description, TargetIDs: ids,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// CreateStatusPage stores p. A taken slug is statuspage.ErrSlugTaken; a target id
// that does not exist is a validation error naming it.
func (s *Store) CreateStatusPage(ctx context.Context, p statuspage.Page) (statuspage.Page, error) {
	now := dbTime(time.Now())
	row := statusPageRow{Slug: p.Slug, Title: p.Title, Description: p.Description, CreatedAt: now, UpdatedAt: now}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return slugTaken(err)
		}
		return replacePageTargets(tx, row.ID, p.TargetIDs)
	})
	if err != nil {
		return statuspage.Page{}, fmt.Errorf("create status page %q: %w", p.Slug, err)
	}
	return row.toDomain(p.TargetIDs), nil
}

func slugTaken(err error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return statuspage.ErrSlugTaken
	}
	return err
}

// replacePageTargets sets page id's targets to ids, in order.
func replacePageTargets(tx *gorm.DB, id int64, ids []int64) error {
	if err := tx.Where("page_id = ?", id).Delete(&pageTargetRow{}).Error; err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	var found []int64
	if err := tx.Model(&targetRow{}).Where("id IN ?", ids).Pluck("id", &found).Error; err != nil {
		return err
	}
	var v target.ValidationError
	rows := make([]pageTargetRow, len(ids))
	for i, tid := range ids {
		rows[i] = pageTargetRow{PageID: id, TargetID: tid, Position: i}
		if !slices.Contains(found, tid) {
			v.Fields = append(v.Fields, target.FieldError{Field: fmt.Sprintf("target_ids[%d]", i), Message: fmt.Sprintf("no target has id %d", tid)})
		}
	}
	if len(v.Fields) > 0 {
		return &v
	}
	return tx.Create(&rows).Error
}

// pageTargets reads the target ids of pages, in each page's order.
func pageTargets(db *gorm.DB, pageIDs []int64) (map[int64][]int64, error) {
	var rows []pageTargetRow
	if err := db.Where("page_id IN ?", pageIDs).Order("page_id, position").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read status page targets: %w", err)
	}
	out := map[int64][]int64{}
	for _, r := range rows {
		out[r.PageID] = append(out[r.PageID], r.TargetID)
	}
	return out, nil
}

// ListStatusPages returns every page by slug.
func (s *Store) ListStatusPages(ctx context.Context) ([]statuspage.Page, error) {
	db := s.reads.WithContext(ctx)
	var rows []statusPageRow
	if err := db.Order("slug").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list status pages: %w", err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	targets, err := pageTargets(db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]statuspage.Page, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain(targets[r.ID])
	}
	return out, nil
}

// StatusPage reads page id.
func (s *Store) StatusPage(ctx context.Context, id int64) (statuspage.Page, error) {
	return s.statusPage(ctx, "id = ?", id)
}

// StatusPageBySlug reads the page published under slug.
func (s *Store) StatusPageBySlug(ctx context.Context, slug string) (statuspage.Page, error) {
	return s.statusPage(ctx, "slug = ?", slug)
}

func (s *Store) statusPage(ctx context.Context, cond string, arg any) (statuspage.Page, error) {
	db := s.reads.WithContext(ctx)
	var row statusPageRow
	if err := db.Where(cond, arg).First(&row).Error; err != nil {
		return statuspage.Page{}, fmt.Errorf("get status page: %w", notFound(err, statuspage.ErrNotFound))
	}
	targets, err := pageTargets(db, []int64{row.ID})
	if err != nil {
		return statuspage.Page{}, err
	}
	return row.toDomain(targets[row.ID]), nil
}

// UpdateStatusPage stores p over the page with its id.
func (s *Store) UpdateStatusPage(ctx context.Context, p statuspage.Page) (statuspage.Page, error) {
	now := dbTime(time.Now())
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&statusPageRow{}).Where("id = ?", p.ID).Updates(map[string]any{
			"slug": p.Slug, "title": p.Title, "description": p.Description, "updated_at": now})
		if res.Error != nil {
			return slugTaken(res.Error)
		}
		if res.RowsAffected == 0 {
			return statuspage.ErrNotFound
		}
		return replacePageTargets(tx, p.ID, p.TargetIDs)
	})
	if err != nil {
		return statuspage.Page{}, fmt.Errorf("update status page %d: %w", p.ID, err)
	}
	return s.StatusPage(ctx, p.ID)
}

// DeleteStatusPage removes page id.
func (s *Store) DeleteStatusPage(ctx context.Context, id int64) error {
	res := s.db.WithContext(ctx).Delete(&statusPageRow{}, id)
	if res.Error != nil {
		return fmt.Errorf("delete status page %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete status page %d: %w", id, statuspage.ErrNotFound)
	}
	return nil
}

// OnStatusPage says whether target id is shown on some status page: only those have
// public badges.
func (s *Store) OnStatusPage(ctx context.Context, id int64) (bool, error) {
	var n int64
	if err := s.reads.WithContext(ctx).Model(&pageTargetRow{}).Where("target_id = ?", id).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("is target %d public: %w", id, err)
	}
	return n > 0, nil
}

// PageTarget is what a public page may show of a target: nothing else is read.
type PageTarget struct {
	ID   int64
	Name string
	// Status is up, down or unknown, or paused.
	Status string
}

// PageTargets reads the public side of the targets among ids that exist, in the
// order of ids.
func (s *Store) PageTargets(ctx context.Context, ids []int64) ([]PageTarget, error) {
	var rows []struct {
		ID         int64
		Name       string
		LastStatus string
		IsActive   bool
	}
	if len(ids) == 0 {
		return []PageTarget{}, nil
	}
	if err := s.reads.WithContext(ctx).Model(&targetRow{}).Select("id, name, last_status, is_active").
		Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("read page targets: %w", err)
	}
	byID := make(map[int64]PageTarget, len(rows))
	for _, r := range rows {
		status := r.LastStatus
		if !r.IsActive {
			status = target.FilterPaused
		}
		byID[r.ID] = PageTarget{ID: r.ID, Name: r.Name, Status: status}
	}
	out := make([]PageTarget, 0, len(rows))
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}
