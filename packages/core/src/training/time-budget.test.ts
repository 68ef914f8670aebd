import { budgetExceededMessage, hardLimitSeconds, runBudgetSeconds, trainJobTimeoutMs } from './time-budget';

describe('a run time budget and its limits', () => {
  it('is the settings’ timeBudgetSeconds, else the service default', () => {
    expect(runBudgetSeconds({ timeBudgetSeconds: 40 }, 150)).toBe(40);
    expect(runBudgetSeconds({ folds: 3 }, 150)).toBe(150);
    expect(runBudgetSeconds({ timeBudgetSeconds: '40' }, 150)).toBe(150);
    expect(runBudgetSeconds(null, 150)).toBe(150);
  });

  it('cuts the training process at budget + the larger of the grace and half the budget', () => {
    expect(hardLimitSeconds(150, 300)).toBe(450);
    expect(hardLimitSeconds(3600, 300)).toBe(5400);
    expect(hardLimitSeconds(5, 0)).toBe(8);
  });

  it("sets the job's limit above the process's, with room to claim and publish", () => {
    expect(trainJobTimeoutMs(150, 300)).toBe((450 + 300) * 1000);
  });

  it('says what happened and what to do', () => {
    expect(budgetExceededMessage(150, 450)).toMatch(/^Training exceeded its time budget of 150 s and was stopped at 450 s\. Train again with a larger settings\.timeBudgetSeconds/);
  });
});
