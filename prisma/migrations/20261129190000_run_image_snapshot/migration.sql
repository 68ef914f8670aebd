-- A training run records the ids of the images it trains on (issue #13): uploads during a run wait for the next.
-- AlterTable
ALTER TABLE "training_runs" ADD COLUMN     "image_ids" UUID[] DEFAULT ARRAY[]::UUID[];
