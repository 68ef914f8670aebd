-- A version records the hash of the dataset manifest it trained on (issue #16): which images trained it.
-- AlterTable
ALTER TABLE "model_versions" ADD COLUMN     "dataset_sha256" TEXT;
