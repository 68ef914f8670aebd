-- Images may be uploaded without a category (issue #17): the engine learns from them semi-supervised, and they are
-- ranked for labelling. A run's snapshot counts them apart from the labelled images it trains and scores on.
-- AlterTable
ALTER TABLE "images" ALTER COLUMN "category_id" DROP NOT NULL;

-- AlterTable
ALTER TABLE "training_runs" ADD COLUMN     "unlabeled_count" INTEGER NOT NULL DEFAULT 0;
