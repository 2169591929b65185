-- The open items that draw from one slot (issue 15): when a count finds the
-- shelf empty, the items nobody has started there are pointed at other stock.
CREATE INDEX idx_picking_items_open_slot ON picking_task_items (product_location_id) WHERE status = 'pending';
